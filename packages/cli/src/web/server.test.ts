import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentView, TargetsSnapshot } from './agent-view.js';
import { createAgentServer } from './server.js';

const snapshot: TargetsSnapshot = {
  active: [
    {
      discoveredLabels: { __address__: 'b:9100', job: 'node' },
      labels: { instance: 'b:9100', job: 'node' },
      scrapePool: 'node',
      scrapeUrl: 'http://b:9100/metrics',
      lastError: 'server returned HTTP status 500 Internal Server Error',
      lastScrapeMs: Date.UTC(2026, 0, 1),
      lastScrapeDurationMs: 12,
      health: 'down',
      intervalMs: 15_000,
      timeoutMs: 10_000,
    },
    {
      discoveredLabels: { __address__: 'a:9090', job: 'agent' },
      labels: { instance: 'a:9090', job: 'agent', odd: '<script>' },
      scrapePool: 'agent',
      scrapeUrl: 'http://a:9090/metrics',
      lastError: '',
      lastScrapeMs: 0,
      lastScrapeDurationMs: 0,
      health: 'unknown',
      intervalMs: 60_000,
      timeoutMs: 10_000,
    },
  ],
  dropped: [{ discoveredLabels: { __address__: 'c:1' }, scrapePool: 'node' }],
  droppedCounts: { node: 3 },
};

function view(overrides: Partial<AgentView> = {}): AgentView {
  return {
    targets: () => snapshot,
    configYaml: () => 'global:\n  scrape_interval: 1m\n',
    isReady: () => true,
    reload: async () => {},
    federate: (sel) => `# federated ${sel.join(',')}\n`,
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'up 1\n' }),
    ...overrides,
  };
}

let server: Server | undefined;
async function start(v: AgentView, opts = {}): Promise<string> {
  server = createAgentServer(v, opts);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  await new Promise((r) => server?.close(r));
  server = undefined;
});

describe('agent HTTP server', () => {
  it('serves the targets API in Prometheus shape, sorted by pool, with filters', async () => {
    const base = await start(view());
    const all = (await (await fetch(`${base}/api/v1/targets`)).json()) as any;
    expect(all.status).toBe('success');
    expect(all.data.activeTargets.map((t: any) => t.scrapePool)).toEqual(['agent', 'node']);
    expect(all.data.activeTargets[0].lastScrape).toBe('0001-01-01T00:00:00Z');
    expect(all.data.activeTargets[1]).toMatchObject({
      health: 'down',
      lastScrape: '2026-01-01T00:00:00.000Z',
      lastScrapeDuration: 0.012,
      scrapeInterval: '15s',
      scrapeTimeout: '10s',
    });
    expect(all.data.droppedTargetCounts).toEqual({ node: 3 });

    const active = (await (await fetch(`${base}/api/v1/targets?state=ACTIVE&scrapePool=node`)).json()) as any;
    expect(active.data.activeTargets).toHaveLength(1);
    expect(active.data.droppedTargets).toEqual([]);
    expect(active.data.droppedTargetCounts).toBeNull();

    const bogus = (await (await fetch(`${base}/api/v1/targets?state=bogus`)).json()) as any;
    expect(bogus.data.activeTargets).toEqual([]);
    expect(bogus.data.droppedTargets).toEqual([]);
  });

  it('answers health and readiness like Prometheus', async () => {
    let ready = false;
    const base = await start(view({ isReady: () => ready }));
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
    const notReady = await fetch(`${base}/-/ready`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('x-prometheus-stopping')).toBe('false');
    ready = true;
    expect(await (await fetch(`${base}/-/ready`)).text()).toBe('scrapewire Agent is Ready.\n');
  });

  it('gates /-/reload behind the lifecycle flag and reports a failed reload', async () => {
    let fail = false;
    let reloads = 0;
    const v = view({
      reload: async () => {
        reloads++;
        if (fail) throw new Error('prometheus.yml:3:1: bad');
      },
    });
    const closed = await start(v);
    expect((await fetch(`${closed}/-/reload`, { method: 'POST' })).status).toBe(403);
    await new Promise((r) => server?.close(r));

    const base = await start(v, { enableLifecycle: true });
    expect((await fetch(`${base}/-/reload`)).status).toBe(405);
    expect((await fetch(`${base}/-/reload`, { method: 'POST' })).status).toBe(200);
    fail = true;
    const failed = await fetch(`${base}/-/reload`, { method: 'PUT' });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('failed to reload config: prometheus.yml:3:1: bad');
    expect(reloads).toBe(2);
  });

  it('serves config, federation and metrics', async () => {
    const base = await start(view());
    expect(await (await fetch(`${base}/api/v1/status/config`)).json()).toEqual({
      status: 'success',
      data: { yaml: 'global:\n  scrape_interval: 1m\n' },
    });
    expect((await fetch(`${base}/federate`)).status).toBe(400);
    expect(await (await fetch(`${base}/federate?match[]=up&match[]={job="x"}`)).text()).toBe(
      '# federated up,{job="x"}\n',
    );
    expect(await (await fetch(`${base}/metrics`)).text()).toBe('up 1\n');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('renders the targets page with escaped labels and errors', async () => {
    const base = await start(view());
    const res = await fetch(`${base}/targets`);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<h2>agent <small>(0/1 up)</small></h2>');
    expect(html).toContain('<h2>node <small>(0/1 up, 3 dropped)</small></h2>');
    expect(html).toContain('odd="&#60;script&#62;"');
    expect(html).not.toContain('<script>');
    expect(html).toContain('server returned HTTP status 500 Internal Server Error');
  });

  it('turns a throwing view into a 500 without crashing', async () => {
    const base = await start(
      view({
        metrics: async () => {
          throw new Error('boom');
        },
      }),
    );
    expect((await fetch(`${base}/metrics`)).status).toBe(500);
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
  });
});
