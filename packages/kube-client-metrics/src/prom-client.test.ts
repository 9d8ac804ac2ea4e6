import { spawnSync } from 'node:child_process';
import { findBinary, missingBinaryMessage } from '@scrapewire/test-utils';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createKubeClientMetrics } from './kube-client-metrics.js';
import {
  createPrometheusSdMetrics,
  createRestClientMetrics,
  createWorkqueueMetricsProvider,
  KubeClientMetricsOptionsError,
  DEFAULT_SIZE_BUCKETS,
  DEFAULT_WORKQUEUE_BUCKETS,
} from './prom-client.js';
import { createWorkqueueMetrics } from './workqueue.js';

const URL_T = 'https://10.0.0.1:6443/api/v1/namespaces/%7Bnamespace%7D/pods?limit=%7Bvalue%7D';

/** Drives every hook once with known values. */
function exercise(registry: Registry) {
  const metrics = createKubeClientMetrics();
  metrics.register(createRestClientMetrics({ registry }));
  metrics.requestResult.increment('200', 'GET', '10.0.0.1:6443');
  metrics.requestResult.increment('<error>', 'GET', '10.0.0.1:6443');
  metrics.requestLatency.observe('GET', URL_T, 0.2);
  metrics.requestSize.observe('POST', '10.0.0.1:6443', 100);
  metrics.responseSize.observe('GET', '10.0.0.1:6443', 5000);
  metrics.requestRetry.incrementRetry('429', 'GET', '10.0.0.1:6443');
  return metrics;
}

describe('createRestClientMetrics', () => {
  it('exports the Kubernetes rest_client_* names and labels', async () => {
    const registry = new Registry();
    exercise(registry);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE rest_client_requests_total counter');
    expect(text).toContain('rest_client_requests_total{code="200",method="GET",host="10.0.0.1:6443"} 1');
    expect(text).toContain('rest_client_requests_total{code="<error>",method="GET",host="10.0.0.1:6443"} 1');
    expect(text).toContain('# TYPE rest_client_request_duration_seconds histogram');
    expect(text).toContain(
      `rest_client_request_duration_seconds_bucket{le="0.25",verb="GET",url="${URL_T}"} 1`,
    );
    expect(text).toContain(
      `rest_client_request_duration_seconds_bucket{le="0.1",verb="GET",url="${URL_T}"} 0`,
    );
    expect(text).toContain(
      'rest_client_request_size_bytes_bucket{le="256",verb="POST",host="10.0.0.1:6443"} 1',
    );
    expect(text).toContain(
      'rest_client_response_size_bytes_bucket{le="16384",verb="GET",host="10.0.0.1:6443"} 1',
    );
    expect(text).toContain('rest_client_request_retries_total{code="429",verb="GET",host="10.0.0.1:6443"} 1');
  });

  it('labels durations by host when asked, with a prefix and constant labels', async () => {
    const registry = new Registry();
    const hooks = createRestClientMetrics({
      registry,
      durationLabel: 'host',
      prefix: 'my_client_',
      constLabels: { component: 'agent' },
      durationBuckets: [0.1, 1],
    });
    hooks.requestLatency?.observe('GET', URL_T, 0.5);
    hooks.requestResult?.increment('200', 'GET', 'h:1');
    const text = await registry.metrics();
    expect(text).toContain(
      'my_client_request_duration_seconds_bucket{le="1",component="agent",verb="GET",host="10.0.0.1:6443"} 1',
    );
    expect(text).toContain(
      'my_client_request_duration_seconds_bucket{le="+Inf",component="agent",verb="GET",host="10.0.0.1:6443"} 1',
    );
    expect(text).toContain(
      'my_client_requests_total{component="agent",code="200",method="GET",host="h:1"} 1',
    );
    expect(text).not.toContain('le="0.005"');
  });

  it('has Kubernetes default buckets', () => {
    expect(DEFAULT_SIZE_BUCKETS[0]).toBe(64);
    expect(DEFAULT_SIZE_BUCKETS.at(-1)).toBe(16777216);
    expect(DEFAULT_WORKQUEUE_BUCKETS).toEqual([1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10]);
  });

  const bad: Array<[string, Parameters<typeof createRestClientMetrics>[0], string]> = [
    ['prefix', { prefix: '1bad' }, 'prefix'],
    ['label name', { constLabels: { 'a-b': 'x' } }, 'constLabels.a-b'],
    ['reserved label name', { constLabels: { __x: 'x' } }, 'constLabels.__x'],
    ['clashing label', { constLabels: { code: 'x' } }, 'constLabels.code'],
    ['empty buckets', { durationBuckets: [] }, 'durationBuckets'],
    ['unsorted buckets', { sizeBuckets: [2, 1] }, 'sizeBuckets[1]'],
    ['infinite bucket', { durationBuckets: [1, Number.POSITIVE_INFINITY] }, 'durationBuckets[1]'],
    ['durationLabel', { durationLabel: 'verb' as 'url' }, 'durationLabel'],
  ];
  it.each(bad)('rejects a bad %s', (_name, options, path) => {
    const registry = new Registry();
    let caught: unknown;
    try {
      createRestClientMetrics({ ...options, registry });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KubeClientMetricsOptionsError);
    expect(caught).toMatchObject({ code: 'SW_ERR_INVALID_OPTIONS', path });
  });
});

describe('createWorkqueueMetricsProvider', () => {
  it('exports the Kubernetes workqueue_* names labelled by name', async () => {
    const registry = new Registry();
    let t = 0;
    const m = createWorkqueueMetrics<string>(createWorkqueueMetricsProvider({ registry }), 'pod', {
      now: () => t,
    });
    m.add('a');
    t = 2;
    m.get('a');
    t = 5;
    m.updateUnfinishedWork();
    m.done('a');
    m.retry();
    const text = await registry.metrics();
    expect(text).toContain('workqueue_depth{name="pod"} 0');
    expect(text).toContain('workqueue_adds_total{name="pod"} 1');
    expect(text).toContain('workqueue_queue_duration_seconds_bucket{le="0.01",name="pod"} 1');
    expect(text).toContain('workqueue_queue_duration_seconds_bucket{le="0.001",name="pod"} 0');
    expect(text).toContain('workqueue_work_duration_seconds_sum{name="pod"} 0.003');
    expect(text).toContain('workqueue_unfinished_work_seconds{name="pod"} 0.003');
    expect(text).toContain('workqueue_longest_running_processor_seconds{name="pod"} 0.003');
    expect(text).toContain('workqueue_retries_total{name="pod"} 1');
  });
});

describe('createPrometheusSdMetrics', () => {
  it("exports Prometheus's own kubernetes SD shapes", async () => {
    const registry = new Registry();
    const { hooks, workqueueProvider } = createPrometheusSdMetrics({ registry });
    const metrics = createKubeClientMetrics();
    metrics.register(hooks);
    metrics.setWorkqueueProvider(workqueueProvider);
    metrics.requestResult.increment('200', 'GET', 'h');
    metrics.requestResult.increment('<error>', 'GET', 'h');
    metrics.requestLatency.observe('GET', URL_T, 0.25);
    metrics.requestSize.observe('GET', 'h', 10);
    const q = createWorkqueueMetrics<string>(metrics.workqueueProvider, 'endpointslice', { now: () => 0 });
    q.add('x');
    q.retry();
    const text = await registry.metrics();
    expect(text).toContain('prometheus_sd_kubernetes_http_request_total{status_code="200"} 1');
    expect(text).toContain('prometheus_sd_kubernetes_http_request_total{status_code="<error>"} 1');
    expect(text).toContain('# TYPE prometheus_sd_kubernetes_http_request_duration_seconds summary');
    expect(text).toContain(
      'prometheus_sd_kubernetes_http_request_duration_seconds_sum{endpoint="/api/v1/namespaces/%7Bnamespace%7D/pods"} 0.25',
    );
    expect(text).not.toContain('quantile=');
    expect(text).toContain('prometheus_sd_kubernetes_workqueue_depth{queue_name="endpointslice"} 1');
    expect(text).toContain('prometheus_sd_kubernetes_workqueue_items_total{queue_name="endpointslice"} 1');
    expect(text).toContain('# TYPE prometheus_sd_kubernetes_workqueue_latency_seconds summary');
    expect(text).toContain('# TYPE prometheus_sd_kubernetes_workqueue_unfinished_work_seconds gauge');
    expect(text).toContain(
      '# TYPE prometheus_sd_kubernetes_workqueue_longest_running_processor_seconds gauge',
    );
    expect(text).not.toContain('retries');
    expect(text).not.toContain('size');
  });
});

describe('help text', () => {
  it('is one sentence per metric, and the same for the work queue under either naming scheme', async () => {
    const registry = new Registry();
    createRestClientMetrics({ registry });
    createWorkqueueMetricsProvider({ registry });
    createPrometheusSdMetrics({ registry });
    const help = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, m.help]));
    expect(help.size).toBe(20);
    for (const h of help.values()) {
      expect(h).toMatch(/^[A-Z][^\n]*[^.]\.$/);
      expect(h.slice(0, -1)).not.toMatch(/\.\s/);
    }
    expect(help.get('rest_client_request_duration_seconds')).toMatch(/by verb and url\.$/);
    const pairs: [string, string][] = [
      ['workqueue_depth', 'prometheus_sd_kubernetes_workqueue_depth'],
      ['workqueue_adds_total', 'prometheus_sd_kubernetes_workqueue_items_total'],
      ['workqueue_queue_duration_seconds', 'prometheus_sd_kubernetes_workqueue_latency_seconds'],
      ['workqueue_work_duration_seconds', 'prometheus_sd_kubernetes_workqueue_work_duration_seconds'],
      ['workqueue_unfinished_work_seconds', 'prometheus_sd_kubernetes_workqueue_unfinished_work_seconds'],
      [
        'workqueue_longest_running_processor_seconds',
        'prometheus_sd_kubernetes_workqueue_longest_running_processor_seconds',
      ],
    ];
    for (const [a, b] of pairs) expect(help.get(a)).toBe(help.get(b));
  });

  it('names the second duration label actually in use', async () => {
    const registry = new Registry();
    createRestClientMetrics({ registry, durationLabel: 'host' });
    const [m] = (await registry.getMetricsAsJSON()).filter((x) =>
      x.name.endsWith('request_duration_seconds'),
    );
    expect(m?.help).toMatch(/by verb and host\.$/);
  });
});

const promtool = findBinary('promtool');
describe.skipIf(!promtool)(promtool ? 'promtool check metrics' : missingBinaryMessage('promtool'), () => {
  it('finds nothing to complain about in any adapter output', async () => {
    const registry = new Registry();
    exercise(registry);
    const { hooks, workqueueProvider } = createPrometheusSdMetrics({ registry });
    hooks.requestResult?.increment('200', 'GET', 'h');
    hooks.requestLatency?.observe('GET', URL_T, 0.1);
    const q = createWorkqueueMetrics<string>(workqueueProvider, 'pod');
    q.add('a');
    const k = createWorkqueueMetrics<string>(createWorkqueueMetricsProvider({ registry }), 'pod');
    k.add('a');
    const text = await registry.metrics();
    const r = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
