/**
 * The fake API server must speak Kubernetes well enough for the official client: client-node's own
 * `makeInformer` (list + watch, JSON deserialisation into models) syncs and follows changes against it.
 */
import { CoreV1Api, makeInformer, type V1Pod } from '@kubernetes/client-node';
import { FakeKubeApiServer } from '@scrapewire/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfigForUrl } from './kube-connection.js';
import { until } from './test-harness.js';

let api: FakeKubeApiServer;
beforeAll(async () => {
  api = await FakeKubeApiServer.start();
});
afterAll(() => api.close());

describe('FakeKubeApiServer with @kubernetes/client-node', () => {
  it('serves makeInformer: list, watch, add/update/delete, label selector', async () => {
    api.create('pods', {
      metadata: { name: 'a', namespace: 'ns', labels: { app: 'x' } },
      spec: { containers: [] },
    });
    api.create('pods', {
      metadata: { name: 'b', namespace: 'ns', labels: { app: 'y' } },
      spec: { containers: [] },
    });
    const kc = await kubeConfigForUrl(api.url);
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Pod>(
      kc,
      '/api/v1/namespaces/ns/pods',
      () => core.listNamespacedPod({ namespace: 'ns', labelSelector: 'app=x' }),
      'app=x',
    );
    const events: string[] = [];
    informer.on('add', (p) => events.push(`add ${p.metadata?.name}`));
    informer.on('update', (p) => events.push(`update ${p.metadata?.name} ${p.metadata?.labels?.v}`));
    informer.on('delete', (p) => events.push(`delete ${p.metadata?.name}`));
    await informer.start();
    expect(events).toEqual(['add a']);
    await until(() => api.openWatches === 1);
    api.update('pods', {
      metadata: { name: 'a', namespace: 'ns', labels: { app: 'x', v: '2' } },
      spec: { containers: [] },
    });
    api.create('pods', {
      metadata: { name: 'c', namespace: 'ns', labels: { app: 'x' } },
      spec: { containers: [] },
    });
    api.delete('pods', 'ns', 'a');
    await until(() => events.length === 4);
    expect(events).toEqual(['add a', 'update a 2', 'add c', 'delete a']);
    await informer.stop();
    await until(() => api.openWatches === 0);
  });
});
