import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import type { KubeClientMetricsLogger } from '../src/index.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createKubeClientMetrics,
  type KubeClientMetrics,
  type KubeClientMetricsHooks,
  instrumentKubeConfig,
} from '../src/index.js';
import { type MiniKubeApi, refusedKubeConfig, startMiniKubeApi } from './mini-kube-api.js';

interface Recorded {
  results: string[];
  latencies: string[];
  requestSizes: string[];
  responseSizes: string[];
  seconds: number[];
}

function recordingHooks(): { hooks: KubeClientMetricsHooks; seen: Recorded } {
  const seen: Recorded = { results: [], latencies: [], requestSizes: [], responseSizes: [], seconds: [] };
  return {
    seen,
    hooks: {
      requestResult: { increment: (code, method, host) => seen.results.push(`${code} ${method} ${host}`) },
      requestLatency: {
        observe: (verb, url, s) => {
          seen.latencies.push(`${verb} ${url}`);
          seen.seconds.push(s);
        },
      },
      requestSize: { observe: (verb, host, b) => seen.requestSizes.push(`${verb} ${host} ${b}`) },
      responseSize: { observe: (verb, host, b) => seen.responseSizes.push(`${verb} ${host} ${b}`) },
    },
  };
}

const warnLogger = () => {
  const warn = vi.fn();
  const logger: KubeClientMetricsLogger = { warn };
  return { logger, warn };
};

describe('instrumentKubeConfig against a fake API server', () => {
  let api: MiniKubeApi;
  let host: string;
  beforeAll(async () => {
    api = await startMiniKubeApi();
    host = new URL(api.url).host;
  });
  afterAll(async () => {
    await api.close();
  });

  it('reports verbs, URL templates, codes and hosts for a known sequence of requests', async () => {
    const metrics = createKubeClientMetrics();
    const { hooks, seen } = recordingHooks();
    expect(metrics.register(hooks)).toBe(true);
    const k8s = instrumentKubeConfig(api.kubeConfig(), { metrics });
    const core = k8s.makeApiClient(CoreV1Api);

    const p1 = await core.readNamespacedPod({ name: 'p1', namespace: 'default' });
    expect(p1.metadata?.name).toBe('p1');
    const list = await core.listNamespacedPod({ namespace: 'default', limit: 500 });
    expect(list.items).toHaveLength(1);
    await expect(core.readNamespacedPod({ name: 'missing', namespace: 'default' })).rejects.toMatchObject({
      code: 404,
    });
    await expect(core.listNode()).rejects.toMatchObject({ code: 500 });
    await expect(core.listNamespacedPod({ namespace: 'reset' })).rejects.toThrow();
    const body: V1Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p2' } };
    const created = await core.createNamespacedPod({ namespace: 'default', body });
    expect(created.metadata?.name).toBe('p2');

    // A watch: counted once as 200 when the stream opens, no latency.
    const events: string[] = [];
    const watch = k8s.createWatch();
    let doneErr: unknown = 'not called';
    const controller = await watch.watch(
      '/api/v1/namespaces/default/pods',
      { resourceVersion: '5' },
      (type, obj: V1Pod) => events.push(`${type} ${obj.metadata?.name}`),
      (err) => {
        doneErr = err;
      },
    );
    await api.waitForOpenWatches(1);
    await vi.waitFor(() => expect(events).toEqual(['ADDED p3']));
    controller.abort();
    // Aborting tears the watch down: the server sees its response closed.
    await api.waitForOpenWatches(0);
    expect(doneErr).not.toBe('not called');

    // A rejected watch: counted with the server's status.
    const forbidden = await new Promise<unknown>((resolve) => {
      void k8s.createWatch().watch('/api/v1/namespaces/forbidden/pods', {}, () => {}, resolve);
    });
    expect(forbidden).toMatchObject({ statusCode: 403 });

    expect(seen.results).toEqual([
      `200 GET ${host}`,
      `200 GET ${host}`,
      `404 GET ${host}`,
      `500 GET ${host}`,
      `<error> GET ${host}`,
      `201 POST ${host}`,
      `200 GET ${host}`,
      `403 GET ${host}`,
    ]);
    const base = api.url;
    expect(seen.latencies).toEqual([
      `GET ${base}/api/v1/namespaces/%7Bnamespace%7D/pods/%7Bname%7D`,
      `GET ${base}/api/v1/namespaces/%7Bnamespace%7D/pods?limit=%7Bvalue%7D`,
      `GET ${base}/api/v1/namespaces/%7Bnamespace%7D/pods/%7Bname%7D`,
      `GET ${base}/api/v1/nodes`,
      `GET ${base}/api/v1/namespaces/%7Bnamespace%7D/pods`,
      `POST ${base}/api/v1/namespaces/%7Bnamespace%7D/pods`,
    ]);
    for (const s of seen.seconds) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(10);
    }
    const bodyBytes = Buffer.byteLength(JSON.stringify(body));
    expect(seen.requestSizes).toEqual([
      `GET ${host} 0`,
      `GET ${host} 0`,
      `GET ${host} 0`,
      `GET ${host} 0`,
      `GET ${host} 0`,
      `POST ${host} ${bodyBytes}`,
    ]);
    // Response sizes for the five requests that got a body (the reset one got none).
    expect(seen.responseSizes).toHaveLength(5);
    for (const r of seen.responseSizes) expect(r).toMatch(new RegExp(`^(GET|POST) ${host} [1-9][0-9]*$`));

    expect(api.requests).toContain('GET /api/v1/namespaces/default/pods?watch=true&resourceVersion=5');
  });

  it('counts a watch that gets no response as <error>', async () => {
    const metrics = createKubeClientMetrics();
    const { hooks, seen } = recordingHooks();
    metrics.register(hooks);
    const kc = await refusedKubeConfig();
    const goneHost = new URL(kc.getCurrentCluster()!.server).host;
    const k8s = instrumentKubeConfig(kc, { metrics });
    const err = await new Promise<unknown>((resolve) => {
      void k8s.createWatch().watch('/api/v1/pods', {}, () => {}, resolve);
    });
    expect(err).toBeInstanceOf(Error);
    await expect(k8s.makeApiClient(CoreV1Api).listPodForAllNamespaces()).rejects.toThrow();
    expect(seen.results).toEqual([`<error> GET ${goneHost}`, `<error> GET ${goneHost}`]);
    expect(seen.latencies).toEqual([`GET http://${goneHost}/api/v1/pods`]);
  });

  it('instruments informers: the LIST through the API client and the WATCH through the watch', async () => {
    const metrics = createKubeClientMetrics();
    const { hooks, seen } = recordingHooks();
    metrics.register(hooks);
    const k8s = instrumentKubeConfig(api.kubeConfig(), { metrics });
    const core = k8s.makeApiClient(CoreV1Api);
    const informer = k8s.makeInformer<V1Pod>('/api/v1/namespaces/default/pods', () =>
      core.listNamespacedPod({ namespace: 'default' }),
    );
    const added: string[] = [];
    informer.on('add', (p) => added.push(p.metadata?.name ?? ''));
    await informer.start();
    await api.waitForOpenWatches(1);
    await vi.waitFor(() => expect(added).toEqual(['p1', 'p3']));
    await informer.stop();
    // Stopping the informer closes its watch connection.
    await api.waitForOpenWatches(0);
    expect(seen.results).toEqual([`200 GET ${host}`, `200 GET ${host}`]);
    expect(seen.latencies).toEqual([`GET ${api.url}/api/v1/namespaces/%7Bnamespace%7D/pods`]);
  });

  it('does nothing until registered, and sees requests of existing clients once registered', async () => {
    const metrics = createKubeClientMetrics();
    const k8s = instrumentKubeConfig(api.kubeConfig(), { metrics });
    const core = k8s.makeApiClient(CoreV1Api);
    await core.readNamespacedPod({ name: 'p1', namespace: 'default' });
    const { hooks, seen } = recordingHooks();
    metrics.register(hooks);
    await core.readNamespacedPod({ name: 'p1', namespace: 'default' });
    expect(seen.results).toEqual([`200 GET ${host}`]);
  });

  it('keeps the request working when a hook throws, and logs that once', async () => {
    const { logger, warn } = warnLogger();
    const metrics = createKubeClientMetrics();
    metrics.register({
      requestResult: {
        increment: () => {
          throw new Error('boom');
        },
      },
      requestLatency: {
        observe: () => {
          throw new Error('boom');
        },
      },
    });
    const core = instrumentKubeConfig(api.kubeConfig(), { metrics, logger }).makeApiClient(CoreV1Api);
    const p = await core.readNamespacedPod({ name: 'p1', namespace: 'default' });
    expect(p.metadata?.name).toBe('p1');
    await core.readNamespacedPod({ name: 'p1', namespace: 'default' });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('observes latency and size even when the generated code does not read the body (401)', async () => {
    const metrics = createKubeClientMetrics();
    const { hooks, seen } = recordingHooks();
    metrics.register(hooks);
    const core = instrumentKubeConfig(api.kubeConfig(), { metrics }).makeApiClient(CoreV1Api);
    await expect(core.listNamespacedPod({ namespace: 'unauthorized' })).rejects.toMatchObject({ code: 401 });
    expect(seen.results).toEqual([`401 GET ${host}`]);
    expect(seen.latencies).toEqual([`GET ${api.url}/api/v1/namespaces/%7Bnamespace%7D/pods`]);
    expect(seen.responseSizes).toHaveLength(1);
  });

  it('hands the generated code a body that still reads as text and as bytes', async () => {
    const metrics = createKubeClientMetrics();
    metrics.register({});
    const k8s = instrumentKubeConfig(api.kubeConfig(), { metrics });
    const core = k8s.makeApiClient(CoreV1Api);
    const info = await core.readNamespacedPodWithHttpInfo({ name: 'p1', namespace: 'default' });
    expect(info.httpStatusCode).toBe(200);
    expect(JSON.parse(await info.body.text()).metadata.name).toBe('p1');
    expect(JSON.parse((await info.body.binary()).toString('utf8')).metadata.name).toBe('p1');
  });

  it('measures latency including the time to the full body', async () => {
    const slow = await startMiniKubeApi({ slowMs: 50 });
    try {
      const metrics = createKubeClientMetrics();
      const { hooks, seen } = recordingHooks();
      metrics.register(hooks);
      const core = instrumentKubeConfig(slow.kubeConfig(), { metrics }).makeApiClient(CoreV1Api);
      await core.listNamespacedPod({ namespace: 'slow' });
      expect(seen.seconds).toHaveLength(1);
      // A lower bound only: the server waited 50 ms before answering (timer granularity allows a little less).
      expect(seen.seconds[0]).toBeGreaterThanOrEqual(0.04);
    } finally {
      await slow.close();
    }
  });
});

describe('registration', () => {
  it('takes effect once; later calls are ignored, return false and warn', () => {
    const { logger, warn } = warnLogger();
    const metrics: KubeClientMetrics = createKubeClientMetrics({ logger });
    expect(metrics.registered).toBe(false);
    const first = { increment: vi.fn() };
    const second = { increment: vi.fn() };
    const latency = { observe: vi.fn() };
    expect(metrics.register({ requestResult: first })).toBe(true);
    expect(metrics.register({ requestResult: second, requestLatency: latency })).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(metrics.requestResult).toBe(first);
    // Like client-go's sync.Once, hooks the first call left out stay no-ops.
    expect(metrics.requestLatency).not.toBe(latency);
    expect(() => metrics.requestLatency.observe('GET', 'u', 1)).not.toThrow();
    expect(metrics.registered).toBe(true);
  });

  it('sets the workqueue provider once', () => {
    const { logger, warn } = warnLogger();
    const metrics = createKubeClientMetrics({ logger });
    const p1 = { ...metrics.workqueueProvider };
    const p2 = { ...metrics.workqueueProvider };
    expect(metrics.setWorkqueueProvider(p1)).toBe(true);
    expect(metrics.setWorkqueueProvider(p2)).toBe(false);
    expect(metrics.workqueueProvider).toBe(p1);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
