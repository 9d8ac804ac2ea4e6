import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createKubeClientMetrics } from './kube-client-metrics.js';
import { createPrometheusSdMetrics } from './prom-client.js';
import { createKubernetesSdHooks } from './sd-hooks-bridge.js';

describe('createKubernetesSdHooks', () => {
  it('turns discovery-style events into the Prometheus SD metrics', async () => {
    const registry = new Registry();
    const { hooks, workqueueProvider } = createPrometheusSdMetrics({ registry });
    const metrics = createKubeClientMetrics();
    metrics.register(hooks);
    metrics.setWorkqueueProvider(workqueueProvider);
    const sd = createKubernetesSdHooks(metrics);

    sd.onResult('GET', '/api/v1/namespaces/%7Bnamespace%7D/pods', '10.0.0.1:6443', '200', 0.25);
    sd.onResult('GET', '/api/v1/namespaces/%7Bnamespace%7D/pods', '10.0.0.1:6443', '200', 0.01, true);
    sd.onResult('GET', '/api/v1/nodes', '10.0.0.1:6443', '<error>', 1);
    sd.onQueueAdd('pod');
    sd.onQueueDepth('pod', 1);
    sd.onQueueAdd('pod');
    sd.onQueueDepth('pod', 2);
    sd.onQueueDepth('pod', 0);
    sd.onQueueDepth('pod', 3);
    sd.onQueueLatency('pod', 0.5);
    sd.onWorkDuration('pod', 0.125);
    sd.onQueueAdd('');

    const text = await registry.metrics();
    expect(text).toContain('prometheus_sd_kubernetes_http_request_total{status_code="200"} 2');
    expect(text).toContain('prometheus_sd_kubernetes_http_request_total{status_code="<error>"} 1');
    // The watch is counted but not timed.
    expect(text).toContain(
      'prometheus_sd_kubernetes_http_request_duration_seconds_count{endpoint="/api/v1/namespaces/%7Bnamespace%7D/pods"} 1',
    );
    expect(text).toContain(
      'prometheus_sd_kubernetes_http_request_duration_seconds_count{endpoint="/api/v1/nodes"} 1',
    );
    expect(text).toContain('prometheus_sd_kubernetes_workqueue_depth{queue_name="pod"} 3');
    expect(text).toContain('prometheus_sd_kubernetes_workqueue_items_total{queue_name="pod"} 2');
    expect(text).toContain('prometheus_sd_kubernetes_workqueue_latency_seconds_sum{queue_name="pod"} 0.5');
    expect(text).toContain(
      'prometheus_sd_kubernetes_workqueue_work_duration_seconds_sum{queue_name="pod"} 0.125',
    );
    expect(text).not.toContain('queue_name=""');
  });

  it('builds the latency URL with the configured scheme and does nothing while unregistered', () => {
    const metrics = createKubeClientMetrics();
    const sd = createKubernetesSdHooks(metrics, { scheme: 'http' });
    sd.onResult('GET', '/api/v1/pods', 'h:1', '200', 1);
    const seen: string[] = [];
    metrics.register({ requestLatency: { observe: (v, u) => seen.push(`${v} ${u}`) } });
    sd.onResult('get', '/api/v1/nodes/%7Bname%7D', 'h:1', '200', 1);
    expect(seen).toEqual(['GET http://h:1/api/v1/nodes/%7Bname%7D']);
  });
});
