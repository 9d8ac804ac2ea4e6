import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeKubeApiServer } from '@scrapewire/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from './agent.js';

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of the series whose line starts with `prefix` (name and labels), or undefined. */
function value(metrics: string, prefix: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${prefix} `));
  return line === undefined ? undefined : Number(line.slice(prefix.length + 1));
}

let api: FakeKubeApiServer;
let dir: string;
let agent: RunningAgent | undefined;

beforeAll(async () => {
  api = await FakeKubeApiServer.start();
  dir = await mkdtemp(join(tmpdir(), 'scrapewire-agent-k8s-'));
  // Pod IPs on loopback: the scrapes these targets cause must stay on this machine.
  for (const [i, name] of ['web-1', 'web-2'].entries()) {
    api.create('pods', {
      metadata: { name, namespace: 'prod', labels: { app: 'web' } },
      spec: {
        nodeName: 'n1',
        containers: [{ name: 'app', ports: [{ name: 'metrics', containerPort: i + 1 }] }],
      },
      status: { phase: 'Running', podIP: '127.0.0.1', hostIP: '127.0.0.1' },
    });
  }
});

afterAll(async () => {
  await agent?.stop();
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the agent with Kubernetes SD', () => {
  it("reports the API requests, events and work queues under Prometheus's names", async () => {
    // The first list fails: counted by status code and as an SD failure, then retried.
    api.failRequests({ status: 503, count: 1, match: (r) => r.query.watch === undefined });
    const file = join(dir, 'prometheus.yml');
    await writeFile(
      file,
      `scrape_configs:
  - job_name: k8s
    scrape_interval: 1m
    kubernetes_sd_configs:
      - role: pod
        api_server: ${api.url}
        namespaces: { names: [prod] }
`,
    );
    agent = await startAgent({
      configFile: file,
      listenAddress: '127.0.0.1:0',
      discoveryUpdateIntervalMs: 0,
      scrapeReloadIntervalMs: 0,
    });
    const metrics = () => fetch(`${agent!.url}/metrics`).then((r) => r.text());

    await eventually(async () =>
      value(await metrics(), 'prometheus_sd_discovered_targets{name="scrape",config="k8s"}') === 2
        ? true
        : undefined,
    );
    // A pod created later arrives through the watch and the role's work queue.
    api.create('pods', {
      metadata: { name: 'web-3', namespace: 'prod', labels: { app: 'web' } },
      spec: { nodeName: 'n1', containers: [{ name: 'app', ports: [{ name: 'metrics', containerPort: 3 }] }] },
      status: { phase: 'Running', podIP: '127.0.0.1', hostIP: '127.0.0.1' },
    });
    const text = await eventually(async () => {
      const m = await metrics();
      return value(m, 'prometheus_sd_discovered_targets{name="scrape",config="k8s"}') === 3 ? m : undefined;
    });
    expect(value(text, 'prometheus_sd_kubernetes_http_request_total{status_code="503"}')).toBe(1);
    expect(
      value(text, 'prometheus_sd_kubernetes_http_request_total{status_code="200"}'),
    ).toBeGreaterThanOrEqual(2);
    // Lists are timed, watches are not (client-go's rule).
    expect(
      value(
        text,
        'prometheus_sd_kubernetes_http_request_duration_seconds_count{endpoint="/api/v1/namespaces/%7Bnamespace%7D/pods"}',
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(value(text, 'prometheus_sd_kubernetes_events_total{role="pod",event="add"}')).toBe(3);
    expect(value(text, 'prometheus_sd_kubernetes_events_total{role="service",event="add"}')).toBe(0);
    expect(value(text, 'prometheus_sd_kubernetes_failures_total')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'prometheus_sd_kubernetes_workqueue_items_total{queue_name="pod"}')).toBe(1);
    expect(value(text, 'prometheus_sd_kubernetes_workqueue_depth{queue_name="pod"}')).toBe(0);
    expect(
      value(text, 'prometheus_sd_kubernetes_workqueue_work_duration_seconds_count{queue_name="pod"}'),
    ).toBe(1);

    const targets = (await (await fetch(`${agent.url}/api/v1/targets`)).json()) as any;
    expect(
      targets.data.activeTargets.map((t: any) => t.discoveredLabels.__meta_kubernetes_pod_name).sort(),
    ).toEqual(['web-1', 'web-2', 'web-3']);

    await agent.stop();
    agent = undefined;
    await eventually(async () => (api.openWatches === 0 ? true : undefined));
  });
});
