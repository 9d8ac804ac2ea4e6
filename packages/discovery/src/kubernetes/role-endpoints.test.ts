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

const pod = {
  metadata: { name: 'api-0', namespace: 'ns', uid: 'pod-uid', labels: { app: 'api' } },
  spec: {
    nodeName: 'node-1',
    containers: [
      {
        name: 'api',
        image: 'api:1',
        ports: [
          { name: 'http', containerPort: 8080, protocol: 'TCP' },
          { name: 'admin', containerPort: 9000, protocol: 'TCP' },
        ],
      },
    ],
    initContainers: [
      {
        name: 'setup',
        image: 'setup:1',
        ports: [{ name: 'init-port', containerPort: 7000, protocol: 'TCP' }],
      },
    ],
  },
  status: {
    podIP: '10.0.0.5',
    hostIP: '192.168.1.1',
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True' }],
  },
};

const podLabels = {
  [`${M}pod_name`]: 'api-0',
  [`${M}pod_ip`]: '10.0.0.5',
  [`${M}pod_ready`]: 'true',
  [`${M}pod_phase`]: 'Running',
  [`${M}pod_node_name`]: 'node-1',
  [`${M}pod_host_ip`]: '192.168.1.1',
  [`${M}pod_uid`]: 'pod-uid',
  [`${M}pod_label_app`]: 'api',
  [`${M}pod_labelpresent_app`]: 'true',
};

describe('endpoints role (labels as Prometheus 3.x)', () => {
  it('ready and not-ready addresses, service and pod labels, uncovered container ports', async () => {
    api.create('pods', pod);
    api.create('services', {
      metadata: { name: 'api', namespace: 'ns', labels: { team: 'a' } },
      spec: { ports: [] },
    });
    api.create('endpoints', {
      metadata: { name: 'api', namespace: 'ns', labels: { 'endpoints.kubernetes.io/managed-by': 'x' } },
      subsets: [
        {
          addresses: [
            {
              ip: '10.0.0.5',
              nodeName: 'node-1',
              targetRef: { kind: 'Pod', name: 'api-0', namespace: 'ns' },
            },
          ],
          notReadyAddresses: [{ ip: '10.0.0.6', hostname: 'h6' }],
          ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
        },
      ],
    });
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('endpoints', api.url)));
    await collector.first();
    const g = collector.latest.get('endpoints/ns/api')!;
    expect(g.labels).toEqual({
      [`${M}namespace`]: 'ns',
      [`${M}endpoints_name`]: 'api',
      [`${M}endpoints_label_endpoints_kubernetes_io_managed_by`]: 'x',
      [`${M}endpoints_labelpresent_endpoints_kubernetes_io_managed_by`]: 'true',
      [`${M}service_name`]: 'api',
      [`${M}service_label_team`]: 'a',
      [`${M}service_labelpresent_team`]: 'true',
    });
    expect(g.targets).toEqual([
      {
        __address__: '10.0.0.5:8080',
        [`${M}endpoint_port_name`]: 'web',
        [`${M}endpoint_port_protocol`]: 'TCP',
        [`${M}endpoint_ready`]: 'true',
        [`${M}endpoint_address_target_kind`]: 'Pod',
        [`${M}endpoint_address_target_name`]: 'api-0',
        [`${M}endpoint_node_name`]: 'node-1',
        ...podLabels,
        [`${M}pod_container_name`]: 'api',
        [`${M}pod_container_image`]: 'api:1',
        [`${M}pod_container_port_name`]: 'http',
        [`${M}pod_container_port_number`]: '8080',
        [`${M}pod_container_port_protocol`]: 'TCP',
        [`${M}pod_container_init`]: 'false',
      },
      {
        __address__: '10.0.0.6:8080',
        [`${M}endpoint_port_name`]: 'web',
        [`${M}endpoint_port_protocol`]: 'TCP',
        [`${M}endpoint_ready`]: 'false',
        [`${M}endpoint_hostname`]: 'h6',
      },
      {
        __address__: '10.0.0.5:9000',
        ...podLabels,
        [`${M}pod_container_name`]: 'api',
        [`${M}pod_container_image`]: 'api:1',
        [`${M}pod_container_port_name`]: 'admin',
        [`${M}pod_container_port_number`]: '9000',
        [`${M}pod_container_port_protocol`]: 'TCP',
        [`${M}pod_container_init`]: 'false',
      },
      {
        __address__: '10.0.0.5:7000',
        ...podLabels,
        [`${M}pod_container_name`]: 'setup',
        [`${M}pod_container_image`]: 'setup:1',
        [`${M}pod_container_port_name`]: 'init-port',
        [`${M}pod_container_port_number`]: '7000',
        [`${M}pod_container_port_protocol`]: 'TCP',
        [`${M}pod_container_init`]: 'true',
      },
    ]);
  });

  it('re-emits when the service or a referenced pod changes, and counts service events as role service', async () => {
    const events: string[] = [];
    collector = new GroupCollector(
      kubernetesDiscoverer(sdConfig('endpoints', api.url), {
        metrics: { onEvent: (role, event) => events.push(`${role}:${event}`) },
      }),
    );
    await collector.first();
    api.update('services', { metadata: { name: 'api', namespace: 'ns', labels: { team: 'b' } }, spec: {} });
    await collector.group('endpoints/ns/api', (g) => g.labels[`${M}service_label_team`] === 'b');
    api.update('pods', { ...pod, status: { ...pod.status, phase: 'Failed' } });
    await collector.group('endpoints/ns/api', (g) => g.targets[0]![`${M}pod_phase`] === 'Failed');
    api.delete('services', 'ns', 'api');
    await collector.group('endpoints/ns/api', (g) => g.labels[`${M}service_name`] === undefined);
    expect(events).toContain('endpoints:add');
    expect(events).toContain('service:update');
    expect(events).toContain('service:delete');
    // Like Prometheus 3.x, the endpoints role counts pod updates, but not pod adds or deletes.
    expect(events.filter((e) => e.startsWith('pod:'))).toEqual(['pod:update']);
  });

  it('attach_metadata.node adds node labels to targets', async () => {
    api.create('nodes', { metadata: { name: 'node-1', labels: { rack: 'r1' } }, status: {} });
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('endpoints', api.url, { attachMetadata: { node: true, namespace: false } }),
      ),
    );
    await collector.first();
    expect(collector.latest.get('endpoints/ns/api')!.targets[0]).toMatchObject({
      [`${M}node_name`]: 'node-1',
      [`${M}node_label_rack`]: 'r1',
      [`${M}node_labelpresent_rack`]: 'true',
    });
    api.update('nodes', { metadata: { name: 'node-1', labels: { rack: 'r2' } }, status: {} });
    await collector.group('endpoints/ns/api', (g) => g.targets[0]![`${M}node_label_rack`] === 'r2');
  });
});
