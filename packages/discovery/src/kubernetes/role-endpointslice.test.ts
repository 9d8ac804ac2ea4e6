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
const ES = `${M}endpointslice_`;

describe('endpointslice role (labels as Prometheus 3.x)', () => {
  it('conditions, topology, zone, port-less slices, service and pod labels', async () => {
    api.create('pods', {
      metadata: { name: 'p', namespace: 'ns', uid: 'u' },
      spec: {
        nodeName: 'n',
        containers: [{ name: 'c', image: 'i', ports: [{ name: 'm', containerPort: 9090, protocol: 'TCP' }] }],
      },
      status: { podIP: '10.0.0.1', phase: 'Running' },
    });
    api.create('services', { metadata: { name: 'svc', namespace: 'ns' }, spec: {} });
    api.create('endpointslices', {
      metadata: { name: 'svc-abc', namespace: 'ns', labels: { 'kubernetes.io/service-name': 'svc' } },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.0.0.1'],
          conditions: { ready: true, serving: true, terminating: false },
          hostname: 'p-host',
          nodeName: 'n',
          zone: 'z1',
          targetRef: { kind: 'Pod', name: 'p', namespace: 'ns' },
          deprecatedTopology: { 'topology.kubernetes.io/region': 'eu' },
        },
        { addresses: ['10.0.0.2'], conditions: { ready: false } },
      ],
      ports: [{ name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' }],
    });
    api.create('endpointslices', {
      metadata: { name: 'portless', namespace: 'ns' },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.9'] }],
      ports: [{}],
    });
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('endpointslice', api.url)));
    await collector.first();
    const g = collector.latest.get('endpointslice/ns/svc-abc')!;
    expect(g.labels).toEqual({
      [`${M}namespace`]: 'ns',
      [`${ES}name`]: 'svc-abc',
      [`${ES}address_type`]: 'IPv4',
      [`${ES}label_kubernetes_io_service_name`]: 'svc',
      [`${ES}labelpresent_kubernetes_io_service_name`]: 'true',
      [`${M}service_name`]: 'svc',
    });
    expect(g.targets).toEqual([
      {
        __address__: '10.0.0.1:9090',
        [`${ES}port_name`]: 'metrics',
        [`${ES}port_protocol`]: 'TCP',
        [`${ES}port`]: '9090',
        [`${ES}port_app_protocol`]: 'http',
        [`${ES}endpoint_conditions_ready`]: 'true',
        [`${ES}endpoint_conditions_serving`]: 'true',
        [`${ES}endpoint_conditions_terminating`]: 'false',
        [`${ES}endpoint_hostname`]: 'p-host',
        [`${ES}address_target_kind`]: 'Pod',
        [`${ES}address_target_name`]: 'p',
        [`${ES}endpoint_node_name`]: 'n',
        [`${ES}endpoint_zone`]: 'z1',
        [`${ES}endpoint_topology_topology_kubernetes_io_region`]: 'eu',
        [`${ES}endpoint_topology_present_topology_kubernetes_io_region`]: 'true',
        [`${M}pod_name`]: 'p',
        [`${M}pod_ip`]: '10.0.0.1',
        [`${M}pod_ready`]: 'unknown',
        [`${M}pod_phase`]: 'Running',
        [`${M}pod_node_name`]: 'n',
        [`${M}pod_host_ip`]: '',
        [`${M}pod_uid`]: 'u',
        [`${M}pod_container_name`]: 'c',
        [`${M}pod_container_image`]: 'i',
        [`${M}pod_container_port_name`]: 'm',
        [`${M}pod_container_port_number`]: '9090',
        [`${M}pod_container_port_protocol`]: 'TCP',
        [`${M}pod_container_init`]: 'false',
      },
      {
        __address__: '10.0.0.2:9090',
        [`${ES}port_name`]: 'metrics',
        [`${ES}port_protocol`]: 'TCP',
        [`${ES}port`]: '9090',
        [`${ES}port_app_protocol`]: 'http',
        [`${ES}endpoint_conditions_ready`]: 'false',
      },
    ]);
    expect(collector.latest.get('endpointslice/ns/portless')!.targets).toEqual([{ __address__: '10.0.0.9' }]);

    // A service change re-emits the slices that name it.
    api.update('services', { metadata: { name: 'svc', namespace: 'ns', labels: { x: 'y' } }, spec: {} });
    await collector.group('endpointslice/ns/svc-abc', (s) => s.labels[`${M}service_label_x`] === 'y');
  });

  it('a dual-stack service keeps only its primary family slices', async () => {
    api.create('services', {
      metadata: { name: 'ds', namespace: 'ns' },
      spec: { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'] },
    });
    api.create('endpointslices', {
      metadata: { name: 'ds-v6', namespace: 'ns', labels: { 'kubernetes.io/service-name': 'ds' } },
      addressType: 'IPv6',
      endpoints: [{ addresses: ['fd00::1'] }],
      ports: [{ port: 80 }],
    });
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('endpointslice', api.url)));
    await collector.first();
    const g = collector.latest.get('endpointslice/ns/ds-v6')!;
    expect(g.targets).toEqual([]);
    expect(g.labels[`${M}service_name`]).toBe('ds');
  });
});
