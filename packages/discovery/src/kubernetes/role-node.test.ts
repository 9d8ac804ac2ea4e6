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

describe('node role (labels as Prometheus 3.x)', () => {
  it('picks the address by type priority, adds every address type, conditions and metadata', async () => {
    api.create('nodes', {
      metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux' }, annotations: { a: 'b' } },
      spec: { providerID: 'aws:///eu/i-1' },
      status: {
        addresses: [
          { type: 'Hostname', address: 'n1.local' },
          { type: 'ExternalIP', address: '1.2.3.4' },
          { type: 'InternalIP', address: '10.0.0.1' },
          { type: 'InternalIP', address: '10.0.0.2' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'MemoryPressure', status: 'False' },
        ],
      },
    });
    api.create('nodes', {
      metadata: { name: 'n2' },
      status: {
        addresses: [{ type: 'Hostname', address: 'n2.local' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      },
    });
    api.create('nodes', { metadata: { name: 'no-address' }, status: {} });
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('node', api.url)));
    const first = await collector.first();
    // A node without an address is skipped entirely, as Prometheus does.
    expect(first.map((g) => g.source).sort()).toEqual(['node/n1', 'node/n2']);
    expect(collector.latest.get('node/n1')).toEqual({
      source: 'node/n1',
      labels: {
        [`${M}node_name`]: 'n1',
        [`${M}node_provider_id`]: 'aws:///eu/i-1',
        [`${M}node_label_kubernetes_io_os`]: 'linux',
        [`${M}node_labelpresent_kubernetes_io_os`]: 'true',
        [`${M}node_annotation_a`]: 'b',
        [`${M}node_annotationpresent_a`]: 'true',
        [`${M}node_condition_ready`]: 'true',
        [`${M}node_condition_memorypressure`]: 'false',
      },
      targets: [
        {
          __address__: '10.0.0.1:10250',
          instance: 'n1',
          [`${M}node_address_Hostname`]: 'n1.local',
          [`${M}node_address_ExternalIP`]: '1.2.3.4',
          [`${M}node_address_InternalIP`]: '10.0.0.1',
        },
      ],
    });
    expect(collector.targets('node/n2')[0]!.__address__).toBe('n2.local:10250');
    api.delete('nodes', undefined, 'n2');
    await collector.group('node/n2', (g) => g.targets.length === 0);
  });
});
