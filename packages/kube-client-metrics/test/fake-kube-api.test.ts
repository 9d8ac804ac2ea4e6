import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { FakeKubeApiServer } from '@scrapewire/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKubeClientMetrics, instrumentKubeConfig } from '../src/index.js';

/** An informer's life against the shared full fake API server: relists, re-watches and failures. */
describe('an instrumented informer against FakeKubeApiServer', () => {
  let fake: FakeKubeApiServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function setUp(options: { expiredAs?: 'event' | 'status' } = {}) {
    fake = await FakeKubeApiServer.start(options);
    fake.create('pods', { metadata: { name: 'a', namespace: 'default' } });
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: fake.url, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
      currentContext: 'c',
    });
    const results: string[] = [];
    const latencies: string[] = [];
    const metrics = createKubeClientMetrics();
    metrics.register({
      requestResult: { increment: (code, method) => results.push(`${code} ${method}`) },
      requestLatency: { observe: (verb, url) => latencies.push(`${verb} ${url.slice(fake!.url.length)}`) },
    });
    const k8s = instrumentKubeConfig(kc, { metrics });
    const core = k8s.makeApiClient(CoreV1Api);
    const informer = k8s.makeInformer<V1Pod>('/api/v1/pods', () => core.listPodForAllNamespaces());
    const errors: unknown[] = [];
    informer.on('error', (err) => errors.push(err));
    await informer.start();
    await vi.waitFor(() => expect(fake!.openWatches).toBe(1));
    return { fake, informer, results, latencies, errors };
  }

  it('counts a relist after 410 Gone and a watch that fails with 500', async () => {
    const { fake, informer, results, latencies, errors } = await setUp({ expiredAs: 'status' });
    expect(results).toEqual(['200 GET', '200 GET']);

    // The informer misses an event, the history is compacted, the watch ends: it resumes from an
    // expired resourceVersion, gets 410, lists again and watches again.
    fake.stallWatches('pods');
    fake.create('pods', { metadata: { name: 'b', namespace: 'default' } });
    fake.compact();
    fake.closeWatches('pods');
    await vi.waitFor(() =>
      expect(
        informer
          .list()
          .map((p) => p.metadata?.name)
          .sort(),
      ).toEqual(['a', 'b']),
    );
    await vi.waitFor(() => expect(fake.openWatches).toBe(1));
    expect(results).toEqual(['200 GET', '200 GET', '410 GET', '200 GET', '200 GET']);

    // The next re-watch fails with 500: client-node's informer reports it and stops.
    fake.failRequests({ status: 500, match: (r) => r.query.watch === 'true' });
    fake.closeWatches('pods');
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(results).toEqual(['200 GET', '200 GET', '410 GET', '200 GET', '200 GET', '500 GET']);
    // Latency only for the two LISTs.
    expect(latencies).toEqual(['GET /api/v1/pods', 'GET /api/v1/pods']);
    await informer.stop();
  });

  it('closes the watch connection when the informer stops', async () => {
    const { fake, informer } = await setUp();
    await informer.stop();
    await vi.waitFor(() => expect(fake.openWatches).toBe(0));
  });
});
