import { FakeKubeApiServer } from '@scrapewire/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesDiscoverer } from './kubernetes-discoverer.js';
import { GroupCollector, sdConfig } from './test-harness.js';

let api: FakeKubeApiServer;
let collector: GroupCollector | undefined;
beforeAll(async () => {
  api = await FakeKubeApiServer.start();
});
afterEach(() => collector?.unsubscribe());
afterAll(() => api.close());

const M = '__meta_kubernetes_';

describe('service role (labels as Prometheus 3.x)', () => {
  it('ClusterIP, ExternalName, LoadBalancer and port-less services', async () => {
    api.create('services', {
      metadata: { name: 'web', namespace: 'default', labels: { 'app.kubernetes.io/part-of': 'shop' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: '10.96.0.10',
        ports: [
          { name: 'http', port: 80, protocol: 'TCP' },
          { name: 'metrics', port: 9100, protocol: 'TCP' },
        ],
      },
    });
    api.create('services', {
      metadata: { name: 'ext', namespace: 'default' },
      spec: { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 443, protocol: 'TCP' }] },
    });
    api.create('services', {
      metadata: { name: 'lb', namespace: 'default' },
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.11',
        loadBalancerIP: '5.5.5.5',
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
      status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }, { hostname: 'x' }, { ip: '2.2.2.2' }] } },
    });
    api.create('services', {
      metadata: { name: 'headless', namespace: 'default' },
      spec: { clusterIP: 'None' },
    });
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('service', api.url)));
    await collector.first();
    expect(collector.latest.get('svc/default/web')).toEqual({
      source: 'svc/default/web',
      labels: {
        [`${M}namespace`]: 'default',
        [`${M}service_name`]: 'web',
        [`${M}service_label_app_kubernetes_io_part_of`]: 'shop',
        [`${M}service_labelpresent_app_kubernetes_io_part_of`]: 'true',
      },
      targets: [
        {
          __address__: 'web.default.svc:80',
          [`${M}service_port_name`]: 'http',
          [`${M}service_port_number`]: '80',
          [`${M}service_port_protocol`]: 'TCP',
          [`${M}service_type`]: 'ClusterIP',
          [`${M}service_cluster_ip`]: '10.96.0.10',
        },
        {
          __address__: 'web.default.svc:9100',
          [`${M}service_port_name`]: 'metrics',
          [`${M}service_port_number`]: '9100',
          [`${M}service_port_protocol`]: 'TCP',
          [`${M}service_type`]: 'ClusterIP',
          [`${M}service_cluster_ip`]: '10.96.0.10',
        },
      ],
    });
    expect(collector.latest.get('svc/default/ext')!.targets).toEqual([
      {
        __address__: 'ext.default.svc:443',
        [`${M}service_port_name`]: '',
        [`${M}service_port_number`]: '443',
        [`${M}service_port_protocol`]: 'TCP',
        [`${M}service_type`]: 'ExternalName',
        [`${M}service_external_name`]: 'example.com',
      },
    ]);
    expect(collector.latest.get('svc/default/lb')!.targets[0]).toMatchObject({
      [`${M}service_type`]: 'LoadBalancer',
      [`${M}service_cluster_ip`]: '10.96.0.11',
      [`${M}service_loadbalancer_ip`]: '1.1.1.1,2.2.2.2',
    });
    expect(collector.latest.get('svc/default/headless')).toEqual({
      source: 'svc/default/headless',
      labels: { [`${M}namespace`]: 'default', [`${M}service_name`]: 'headless' },
      targets: [],
    });
  });
});
