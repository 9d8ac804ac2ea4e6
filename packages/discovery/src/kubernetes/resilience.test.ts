import {
  FakeKubeApiServer,
  type FakeKubeApiServerOptions,
  type FakeKubeObject,
} from '@scrapewire/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { KubernetesApiError, WatchInactivityError } from './errors.js';
import { type KubernetesDiscovererContext, kubernetesDiscoverer } from './kubernetes-discoverer.js';
import { CountingScheduler, GroupCollector, sdConfig, until } from './test-harness.js';

const servers: FakeKubeApiServer[] = [];
let collector: GroupCollector | undefined;

afterEach(async () => {
  collector?.unsubscribe();
  collector = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function fake(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
  const s = await FakeKubeApiServer.start(options);
  servers.push(s);
  return s;
}

function pod(name: string, ip: string, extra: Record<string, unknown> = {}): FakeKubeObject {
  return {
    metadata: { name, namespace: 'ns' },
    spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] },
    status: { podIP: ip },
    ...extra,
  };
}

/** Short timings so every fault resolves in milliseconds. */
function fastCtx(extra: Partial<KubernetesDiscovererContext> = {}): KubernetesDiscovererContext {
  return { backoffInitialMs: 10, backoffMaxMs: 40, watchInactivityTimeoutMs: 300, ...extra };
}

const watchRequests = (api: FakeKubeApiServer) => api.requests.filter((r) => r.query.watch === 'true');
const listRequests = (api: FakeKubeApiServer) => api.requests.filter((r) => r.query.watch === undefined);

describe('kubernetes discovery resilience', () => {
  it('resumes a closed watch from its resourceVersion without duplicates', async () => {
    const api = await fake();
    api.create('pods', pod('a', '10.0.0.1'));
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('pod', api.url), fastCtx()));
    await collector.first();
    await until(() => api.openWatches === 1);
    api.closeWatches();
    await until(() => watchRequests(api).length === 2, 5_000, 'a second watch');
    const resumedFrom = watchRequests(api)[1]!.query.resourceVersion;
    expect(resumedFrom).toBe(watchRequests(api)[0]!.query.resourceVersion);
    api.create('pods', pod('b', '10.0.0.2'));
    await collector.group('pod/ns/b');
    // Only b was sent after the first batch: the reconnect replayed nothing.
    expect(
      collector.batches
        .slice(1)
        .flat()
        .map((g) => g.source),
    ).toEqual(['pod/ns/b']);
    expect(listRequests(api)).toHaveLength(1);
  });

  for (const expiredAs of ['event', 'status'] as const) {
    it(`relists on 410 Expired (${expiredAs}) and emits only real changes`, async () => {
      const api = await fake({ expiredAs });
      api.create('pods', pod('keep', '10.0.0.1'));
      api.create('pods', pod('gone', '10.0.0.2'));
      const failures: Error[] = [];
      collector = new GroupCollector(
        kubernetesDiscoverer(
          sdConfig('pod', api.url),
          fastCtx({ metrics: { onFailure: (_r, e) => failures.push(e) } }),
        ),
      );
      await collector.first();
      await api.down();
      api.create('pods', pod('new', '10.0.0.3'));
      api.delete('pods', 'ns', 'gone');
      api.compact();
      await api.up();
      await collector.group('pod/ns/gone', (g) => g.targets.length === 0, 5_000);
      await collector.group('pod/ns/new');
      const after = collector.batches
        .slice(1)
        .flat()
        .map((g) => g.source);
      expect(after.sort()).toEqual(['pod/ns/gone', 'pod/ns/new']);
      expect(listRequests(api).length).toBeGreaterThanOrEqual(2);
      expect(failures.length).toBeGreaterThan(0);
    });
  }

  it('detects a silent (half-open) watch with the inactivity watchdog and catches up', async () => {
    const api = await fake();
    api.create('pods', pod('a', '10.0.0.1'));
    const failures: Error[] = [];
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url),
        fastCtx({ watchInactivityTimeoutMs: 150, metrics: { onFailure: (_r, e) => failures.push(e) } }),
      ),
    );
    await collector.first();
    await until(() => api.openWatches === 1);
    api.stallWatches();
    api.create('pods', pod('late', '10.0.0.9'));
    await collector.group('pod/ns/late', () => true, 5_000);
    expect(failures.some((e) => e instanceof WatchInactivityError)).toBe(true);
    // The stalled connection was abandoned and the new watch resumed from the old resourceVersion.
    expect(listRequests(api)).toHaveLength(1);
  });

  it('keeps a quiet watch alive when the server sends bookmarks', async () => {
    const api = await fake({ bookmarkIntervalMs: 20 });
    api.create('pods', pod('a', '10.0.0.1'));
    const failures: Error[] = [];
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url),
        fastCtx({ watchInactivityTimeoutMs: 300, metrics: { onFailure: (_r, e) => failures.push(e) } }),
      ),
    );
    await collector.first();
    await until(() => watchRequests(api).length === 1);
    const w = watchRequests(api)[0]!;
    expect(w.query.allowWatchBookmarks).toBe('true');
    // Several watchdog periods, bridged only by bookmarks.
    await new Promise((r) => setTimeout(r, 800));
    expect(failures).toEqual([]);
    expect(watchRequests(api)).toHaveLength(1);
  });

  it('retries failed lists and watches (500/503) with backoff, reporting each failure', async () => {
    const api = await fake();
    api.create('pods', pod('a', '10.0.0.1'));
    api.failRequests({ status: 503, count: 2, match: (r) => r.query.watch === undefined });
    api.failRequests({ status: 500, count: 2, match: (r) => r.query.watch === 'true' });
    const failures: Error[] = [];
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url),
        fastCtx({ metrics: { onFailure: (_r, e) => failures.push(e) } }),
      ),
    );
    await collector.first();
    api.create('pods', pod('b', '10.0.0.2'));
    await collector.group('pod/ns/b');
    // (A watchdog failure under heavy machine load would be legitimate too; only the HTTP ones are pinned.)
    const http = failures.filter((e) => e instanceof KubernetesApiError);
    expect(http.map((e) => (e as KubernetesApiError).statusCode)).toEqual([503, 503, 500, 500]);
  });

  it('sends nothing until every collection of the role has synced, then one full set', async () => {
    const api = await fake();
    api.create('pods', pod('a', '10.0.0.1'));
    api.create('services', { metadata: { name: 's', namespace: 'ns' }, spec: {} });
    api.create('endpoints', {
      metadata: { name: 's', namespace: 'ns' },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: 'a', namespace: 'ns' } }],
          ports: [{ port: 80 }],
        },
      ],
    });
    api.failRequests({
      status: 503,
      count: 3,
      match: (r) => r.path === '/api/v1/pods' && r.query.watch === undefined,
    });
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('endpoints', api.url), fastCtx()));
    await until(() => api.requests.filter((r) => r.path === '/api/v1/pods').length >= 3);
    expect(collector.batches).toEqual([]);
    const [group] = await collector.first();
    expect(collector.batches).toHaveLength(1);
    // The pod was known when the first set was built: its labels are on the endpoint target.
    expect(group!.targets[0]).toMatchObject({ __meta_kubernetes_pod_name: 'a' });
    // One list per collection (endpoints, services, pods), shared by everything the role builds.
    const lists = listRequests(api).map((r) => r.path);
    expect(new Set(lists)).toEqual(new Set(['/api/v1/endpoints', '/api/v1/services', '/api/v1/pods']));
    expect(lists.filter((p) => p !== '/api/v1/pods')).toHaveLength(2);
  });

  it('aborts and retries a list the server never answers', async () => {
    const api = await fake();
    api.create('pods', pod('a', '10.0.0.1'));
    api.failRequests({ status: 'hang', count: 1 });
    const failures: Error[] = [];
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url),
        fastCtx({ listTimeoutMs: 100, metrics: { onFailure: (_r, e) => failures.push(e) } }),
      ),
    );
    await collector.first();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toMatch(/no answer within 100 ms/);
    expect(listRequests(api)).toHaveLength(2);
  });

  it('keeps the last targets while the API server is down, then catches up', async () => {
    const api = await fake();
    api.create('pods', pod('a', '10.0.0.1'));
    const failures: Error[] = [];
    const warnings: object[] = [];
    const logger = { debug() {}, info() {}, warn: (o: object) => warnings.push(o), error() {} };
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url),
        fastCtx({ logger, metrics: { onFailure: (_r, e) => failures.push(e) } }),
      ),
    );
    await collector.first();
    const batches = collector.batches.length;
    await api.down();
    await until(() => failures.length >= 2, 5_000, 'failures while down');
    expect(collector.batches.length).toBe(batches);
    expect(warnings.length).toBeGreaterThan(0);
    api.update('pods', pod('a', '10.0.0.77'));
    await api.up();
    await collector.group('pod/ns/a', (g) => g.labels.__meta_kubernetes_pod_ip === '10.0.0.77');
  });

  it('skips and counts malformed objects and lines', async () => {
    const api = await fake();
    const malformed: string[] = [];
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url),
        fastCtx({ metrics: { onMalformedObject: (r) => malformed.push(r) } }),
      ),
    );
    await collector.first();
    await until(() => api.openWatches === 1);
    api.injectWatchLine('pods', 'this is not json');
    api.injectWatchLine('pods', { type: 'ADDED', object: { metadata: {} } });
    api.injectWatchLine('pods', {
      type: 'ADDED',
      object: { metadata: { name: 'weird', namespace: 'ns' }, spec: 5 },
    });
    api.create('pods', pod('ok', '10.0.0.1'));
    await collector.group('pod/ns/ok');
    expect(malformed).toEqual(['pods', 'pods']);
    // An object with a name but nonsense fields still yields a (harmless) empty group.
    expect(collector.latest.get('pod/ns/weird')?.targets).toEqual([]);
  });

  it('tears down every socket, watch and timer on unsubscribe', async () => {
    const api = await fake({ bookmarkIntervalMs: 10 });
    api.create('pods', pod('a', '10.0.0.1'));
    api.create('services', { metadata: { name: 's', namespace: 'ns' }, spec: {} });
    api.create('endpoints', { metadata: { name: 's', namespace: 'ns' }, subsets: [] });
    const scheduler = new CountingScheduler();
    collector = new GroupCollector(
      kubernetesDiscoverer(sdConfig('endpoints', api.url), fastCtx({ scheduler })),
    );
    await collector.first();
    await until(() => api.openWatches === 3);
    api.stallWatches('pods');
    expect(scheduler.pending).toBeGreaterThan(0);
    collector.unsubscribe();
    expect(scheduler.pending).toBe(0);
    await until(() => api.openConnections === 0 && api.openWatches === 0, 5_000, 'sockets to close');
  });

  it('tears down when unsubscribed before the first list answered, and while the server is failing', async () => {
    const api = await fake();
    api.failRequests({ status: 500, count: Number.POSITIVE_INFINITY });
    const scheduler = new CountingScheduler();
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('pod', api.url), fastCtx({ scheduler })));
    await until(() => api.requests.length >= 2);
    collector.unsubscribe();
    expect(scheduler.pending).toBe(0);
    await until(() => api.openConnections === 0, 5_000, 'sockets to close');
    const seen = api.requests.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(api.requests.length).toBe(seen);
  });
});
