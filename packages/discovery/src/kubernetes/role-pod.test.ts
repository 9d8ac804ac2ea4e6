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

describe('pod role (labels as Prometheus 3.x)', () => {
  it('labels ports, port-less and init containers, controller, odd label names', async () => {
    api.create('pods', {
      metadata: {
        name: 'web-1',
        namespace: 'prod',
        uid: 'u-1',
        labels: { app: 'web', 'app.kubernetes.io/name': 'web-app' },
        annotations: { 'prometheus.io/scrape': 'true' },
        ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc', controller: true }],
      },
      spec: {
        nodeName: 'node-a',
        containers: [
          {
            name: 'app',
            image: 'web:1',
            ports: [
              { name: 'http', containerPort: 8080, protocol: 'TCP' },
              { containerPort: 9090, protocol: 'UDP' },
            ],
          },
          { name: 'sidecar', image: 'side:2' },
        ],
        initContainers: [{ name: 'init', image: 'init:3', ports: [{ name: 'init-m', containerPort: 7000 }] }],
      },
      status: {
        podIP: '10.1.2.3',
        hostIP: '192.168.0.10',
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', containerID: 'containerd://abc' }],
        initContainerStatuses: [{ name: 'init', containerID: 'containerd://init' }],
      },
    });
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('pod', api.url)));
    const first = await collector.first();
    expect(first).toHaveLength(1);
    const group = first[0]!;
    expect(group.source).toBe('pod/prod/web-1');
    expect(group.labels).toEqual({
      [`${M}namespace`]: 'prod',
      [`${M}pod_name`]: 'web-1',
      [`${M}pod_ip`]: '10.1.2.3',
      [`${M}pod_ready`]: 'true',
      [`${M}pod_phase`]: 'Running',
      [`${M}pod_node_name`]: 'node-a',
      [`${M}pod_host_ip`]: '192.168.0.10',
      [`${M}pod_uid`]: 'u-1',
      [`${M}pod_controller_kind`]: 'ReplicaSet',
      [`${M}pod_controller_name`]: 'web-abc',
      [`${M}pod_label_app`]: 'web',
      [`${M}pod_labelpresent_app`]: 'true',
      [`${M}pod_label_app_kubernetes_io_name`]: 'web-app',
      [`${M}pod_labelpresent_app_kubernetes_io_name`]: 'true',
      [`${M}pod_annotation_prometheus_io_scrape`]: 'true',
      [`${M}pod_annotationpresent_prometheus_io_scrape`]: 'true',
    });
    expect(group.targets).toEqual([
      {
        __address__: '10.1.2.3:8080',
        [`${M}pod_container_name`]: 'app',
        [`${M}pod_container_id`]: 'containerd://abc',
        [`${M}pod_container_image`]: 'web:1',
        [`${M}pod_container_port_name`]: 'http',
        [`${M}pod_container_port_number`]: '8080',
        [`${M}pod_container_port_protocol`]: 'TCP',
        [`${M}pod_container_init`]: 'false',
      },
      {
        __address__: '10.1.2.3:9090',
        [`${M}pod_container_name`]: 'app',
        [`${M}pod_container_id`]: 'containerd://abc',
        [`${M}pod_container_image`]: 'web:1',
        [`${M}pod_container_port_name`]: '',
        [`${M}pod_container_port_number`]: '9090',
        [`${M}pod_container_port_protocol`]: 'UDP',
        [`${M}pod_container_init`]: 'false',
      },
      {
        __address__: '10.1.2.3',
        [`${M}pod_container_name`]: 'sidecar',
        [`${M}pod_container_id`]: '',
        [`${M}pod_container_image`]: 'side:2',
        [`${M}pod_container_init`]: 'false',
      },
      {
        __address__: '10.1.2.3:7000',
        [`${M}pod_container_name`]: 'init',
        [`${M}pod_container_id`]: 'containerd://init',
        [`${M}pod_container_image`]: 'init:3',
        [`${M}pod_container_port_name`]: 'init-m',
        [`${M}pod_container_port_number`]: '7000',
        [`${M}pod_container_port_protocol`]: '',
        [`${M}pod_container_init`]: 'true',
      },
    ]);
    api.delete('pods', 'prod', 'web-1');
  });

  it('host-network pods use the node IP as pod IP; pods without IP give empty groups; IPv6 is bracketed', async () => {
    api.create('pods', {
      metadata: { name: 'hostnet', namespace: 'kube-system' },
      spec: {
        hostNetwork: true,
        nodeName: 'n1',
        containers: [{ name: 'c', ports: [{ containerPort: 9100 }] }],
      },
      status: { podIP: '192.168.0.5', hostIP: '192.168.0.5', phase: 'Running' },
    });
    api.create('pods', {
      metadata: { name: 'pending', namespace: 'kube-system' },
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Pending' },
    });
    api.create('pods', {
      metadata: { name: 'v6', namespace: 'kube-system' },
      spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
      status: { podIP: 'fd00::1', phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] },
    });
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('pod', api.url)));
    await collector.first();
    expect(collector.targets('pod/kube-system/hostnet')[0]).toMatchObject({
      __address__: '192.168.0.5:9100',
      [`${M}pod_ready`]: 'unknown',
    });
    expect(collector.latest.get('pod/kube-system/pending')).toEqual({
      source: 'pod/kube-system/pending',
      labels: {},
      targets: [],
    });
    expect(collector.targets('pod/kube-system/v6')[0]).toMatchObject({
      __address__: '[fd00::1]:80',
      [`${M}pod_ready`]: 'false',
    });

    // An update that gives the pending pod an IP sends only that group; a delete sends an empty group.
    const before = collector.batches.length;
    api.update('pods', {
      metadata: { name: 'pending', namespace: 'kube-system' },
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Running', podIP: '10.0.0.9' },
    });
    await collector.group('pod/kube-system/pending', (g) => g.targets.length === 1);
    expect(collector.batches[before]!.map((g) => g.source)).toEqual(['pod/kube-system/pending']);
    api.delete('pods', 'kube-system', 'v6');
    const gone = await collector.group('pod/kube-system/v6', (g) => g.targets.length === 0);
    expect(gone).toEqual({ source: 'pod/kube-system/v6', labels: {}, targets: [] });
    for (const name of ['hostnet', 'pending']) api.delete('pods', 'kube-system', name);
  });

  it('attach_metadata node and namespace add node and namespace labels, and follow their changes', async () => {
    api.create('nodes', {
      metadata: { name: 'node-x', labels: { zone: 'a' }, annotations: { 'n/a': 'v' } },
      status: {},
    });
    api.create('namespaces', {
      metadata: { name: 'team', labels: { owner: 'me' }, annotations: { note: 'x' } },
    });
    api.create('pods', {
      metadata: { name: 'p', namespace: 'team' },
      spec: { nodeName: 'node-x', containers: [{ name: 'c' }] },
      status: { podIP: '10.0.0.1' },
    });
    api.create('pods', {
      metadata: { name: 'orphan', namespace: 'team' },
      spec: { nodeName: 'node-missing', containers: [{ name: 'c' }] },
      status: { podIP: '10.0.0.2' },
    });
    const seenBefore = api.requests.length;
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url, {
          namespaces: { ownNamespace: false, names: ['team'] },
          attachMetadata: { node: true, namespace: true },
        }),
      ),
    );
    await collector.first();
    expect(collector.latest.get('pod/team/p')!.labels).toMatchObject({
      [`${M}node_name`]: 'node-x',
      [`${M}node_label_zone`]: 'a',
      [`${M}node_labelpresent_zone`]: 'true',
      [`${M}node_annotation_n_a`]: 'v',
      [`${M}node_annotationpresent_n_a`]: 'true',
      [`${M}namespace_label_owner`]: 'me',
      [`${M}namespace_labelpresent_owner`]: 'true',
      [`${M}namespace_annotation_note`]: 'x',
      [`${M}namespace_annotationpresent_note`]: 'true',
    });
    // The pod's node is not known: Prometheus 3.x sends an empty group.
    expect(collector.latest.get('pod/team/orphan')!.targets).toEqual([]);

    api.update('nodes', { metadata: { name: 'node-x', labels: { zone: 'b' } }, status: {} });
    await collector.group('pod/team/p', (g) => g.labels[`${M}node_label_zone`] === 'b');
    api.create('nodes', { metadata: { name: 'node-missing' }, status: {} });
    await collector.group('pod/team/orphan', (g) => g.targets.length === 1);
    api.update('namespaces', { metadata: { name: 'team', labels: { owner: 'you' } } });
    await collector.group('pod/team/p', (g) => g.labels[`${M}namespace_label_owner`] === 'you');
    // Only the listed namespace is watched.
    const mine = api.requests.slice(seenBefore);
    expect(mine.some((r) => r.path === '/api/v1/namespaces/team/pods')).toBe(true);
    // (Lists only: the previous test's last watch request may still be in flight.)
    expect(mine.some((r) => r.path === '/api/v1/pods' && r.query.watch === undefined)).toBe(false);
  });
});
