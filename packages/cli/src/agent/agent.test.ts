import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snappyUncompress } from '@scrapewire/storage';
import { type RunningAgent, startAgent, splitHostPort } from './agent.js';

/** Polls `check` until it returns a value (not undefined), failing after `timeoutMs`. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

let target: Server;
let targetAddr: string;
const sockets = new Set<Socket>();
let dir: string;
let agent: RunningAgent | undefined;

const config = (jobs: string) => `
global:
  scrape_interval: 1s
  scrape_timeout: 500ms
  external_labels:
    replica: a
scrape_configs:
${jobs}`;
const job = (name: string) => `  - job_name: ${name}
    static_configs:
      - targets: ['${targetAddr}']
`;

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(
      '# TYPE demo_requests_total counter\ndemo_requests_total{code="200"} 42\ndemo_temperature 21.5\n',
    );
  });
  target.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetAddr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'scrapewire-agent-'));
});

afterAll(async () => {
  await agent?.stop();
  await new Promise((r) => target.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('startAgent', () => {
  it('refuses to start on a bad config, naming file and line', async () => {
    const bad = join(dir, 'bad.yml');
    await writeFile(
      bad,
      'scrape_configs:\n  - job_name: x\n    scrape_interval: 1s\n    scrape_timeout: 2s\n',
    );
    await expect(startAgent({ configFile: bad, listenAddress: '127.0.0.1:0' })).rejects.toThrow(
      /bad\.yml:\d+/,
    );
  });

  it('scrapes, serves the targets API and federation, reloads, and keeps the old config on a bad reload', async () => {
    const file = join(dir, 'prometheus.yml');
    await writeFile(file, config(job('demo')));
    agent = await startAgent({
      configFile: file,
      listenAddress: '127.0.0.1:0',
      enableLifecycle: true,
      scrapeReloadIntervalMs: 0,
      discoveryUpdateIntervalMs: 0,
    });
    const api = (path: string) => fetch(`${agent!.url}${path}`);

    const up = await eventually(async () => {
      const body = (await (await api('/api/v1/targets')).json()) as any;
      const t = body.data.activeTargets[0];
      return t?.health === 'up' ? t : undefined;
    });
    expect(up).toMatchObject({
      scrapePool: 'demo',
      scrapeUrl: `http://${targetAddr}/metrics`,
      labels: { instance: targetAddr, job: 'demo' },
    });

    const federated = await (await api('/federate?match[]={job="demo"}')).text();
    expect(federated).toContain(
      `demo_requests_total{code="200",instance="${targetAddr}",job="demo",replica="a"} 42 `,
    );
    expect(federated).toContain(`up{instance="${targetAddr}",job="demo",replica="a"} 1 `);
    expect((await api('/federate?match[]={job=~".*"}')).status).toBe(400);

    const metrics = await (await api('/metrics')).text();
    expect(metrics).toContain('prometheus_target_scrape_pool_targets{scrape_job="demo"} 1');
    expect(metrics).toContain('prometheus_config_last_reload_successful 1');

    // A bad reload is refused with its location, and the running config stays.
    await writeFile(file, config(`${job('demo')}    scrape_timeout: 5s\n`));
    const refused = await api('/-/reload');
    expect(refused.status).toBe(405);
    const failed = await fetch(`${agent.url}/-/reload`, { method: 'POST' });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toMatch(/^failed to reload config: .*prometheus\.yml:\d+:\d+/);
    expect(await (await api('/metrics')).text()).toContain('prometheus_config_last_reload_successful 0');
    expect(((await (await api('/api/v1/targets')).json()) as any).data.activeTargets).toHaveLength(1);

    // A good reload adds the new job; the unchanged one keeps running.
    await writeFile(file, config(job('demo') + job('second')));
    expect((await fetch(`${agent.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    const pools = await eventually(async () => {
      const body = (await (await api('/api/v1/targets')).json()) as any;
      const names = body.data.activeTargets.map((t: any) => t.scrapePool);
      return names.length === 2 ? names : undefined;
    });
    expect(pools).toEqual(['demo', 'second']);
    expect(await (await api('/api/v1/status/config')).text()).toContain('second');

    const html = await (await api('/targets')).text();
    expect(html).toContain('<h2>demo');

    // Stopping closes the HTTP server and every connection to the target.
    await agent.stop();
    await expect(fetch(`${agent.url}/-/healthy`)).rejects.toThrow();
    await eventually(async () => (sockets.size === 0 ? true : undefined));
    agent = undefined;
  });
});

describe('startAgent with remote_write', () => {
  it('sends every scrape to the receiver with external labels, and flushes on stop', async () => {
    const bodies: Uint8Array[] = [];
    const headers: Record<string, string | string[] | undefined>[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        headers.push(req.headers);
        bodies.push(snappyUncompress(Buffer.concat(chunks)));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/v1/write`;
    const file = join(dir, 'remote.yml');
    await writeFile(
      file,
      `${config(job('demo'))}remote_write:\n  - url: ${url}\n    queue_config: { batch_send_deadline: 100ms, max_samples_per_send: 10 }\n`,
    );
    const running = await startAgent({
      configFile: file,
      listenAddress: '127.0.0.1:0',
      scrapeReloadIntervalMs: 0,
      discoveryUpdateIntervalMs: 0,
    });
    try {
      await eventually(async () =>
        bodies.some((b) => Buffer.from(b).includes('demo_requests_total')) ? true : undefined,
      );
      const metrics = await (await fetch(`${running.url}/metrics`)).text();
      expect(metrics).toMatch(
        /^prometheus_remote_storage_samples_total\{remote_name="[0-9a-f]{6}",url="[^"]+"\} [1-9]/m,
      );
    } finally {
      await running.stop();
      await new Promise((r) => receiver.close(r));
    }
    // Shutdown delivered what was queued.
    expect(await running.registry.metrics()).toMatch(
      /^prometheus_remote_storage_samples_pending\{[^}]*\} 0$/m,
    );
    expect(headers[0]).toMatchObject({
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'x-prometheus-remote-write-version': '0.1.0',
    });
    // External labels travel with every series (here: replica="a").
    expect(bodies.every((b) => Buffer.from(b).includes('replica'))).toBe(true);
  });
});

describe('splitHostPort', () => {
  it.each([
    ['127.0.0.1:9095', { host: '127.0.0.1', port: 9095 }],
    [':9095', { host: '0.0.0.0', port: 9095 }],
    ['[::1]:0', { host: '::1', port: 0 }],
  ])('%s', (addr, expected) => expect(splitHostPort(addr)).toEqual(expected));

  it('rejects a bad address', () => expect(() => splitHostPort('localhost')).toThrow('want host:port'));
});
