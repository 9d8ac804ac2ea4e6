import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '@scrapewire/config';
import type { HttpClientConfig } from '@scrapewire/config';
import type { TargetGroup } from '@scrapewire/model';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { trackArmedTimers } from '../test/armed-timers.js';
import { httpDiscoverer } from './http-discoverer.js';
import { noopDiscoveryMetrics } from './metrics.js';

const baseClient: HttpClientConfig = {
  tlsConfig: { insecureSkipVerify: false },
  proxyFromEnvironment: false,
  proxyConnectHeader: {},
  httpHeaders: {},
  followRedirects: true,
  enableHttp2: true,
};

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('httpDiscoverer', () => {
  let server: Server;
  let url: string;
  let dir: string;
  const handlers: Handler[] = [];
  const requests: IncomingMessage[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-httpsd-'));
    server = createServer((req, res) => {
      requests.push(req);
      const h = handlers.shift();
      if (h) h(req, res);
      else res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sd`;
  });
  beforeEach(() => {
    handlers.length = 0;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const json =
    (body: unknown, contentType = 'application/json'): Handler =>
    (_req, res) => {
      res.writeHead(200, { 'content-type': contentType }).end(JSON.stringify(body));
    };

  /** A virtual clock: `tick()` runs the refresh due next. */
  function clock() {
    const scheduler = new VirtualTimeScheduler(VirtualAction, 0);
    const tick = () => {
      scheduler.flush();
      scheduler.maxFrames += 1000;
    };
    return { scheduler, tick };
  }

  function harness() {
    const { scheduler, tick } = clock();
    const emissions: TargetGroup[][] = [];
    let wake: () => void = () => {};
    const settled = () => new Promise<void>((r) => (wake = r));
    const metrics = {
      ...noopDiscoveryMetrics,
      incHttpFailures: vi.fn(() => wake()),
      observeRefreshDuration: vi.fn(),
    };
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    return {
      scheduler,
      tick,
      emissions,
      settled,
      metrics,
      logger,
      push: (g: TargetGroup[]) => {
        emissions.push(g);
        wake();
      },
    };
  }

  it('should fetch groups with Prometheus headers and basic auth, and label them', async () => {
    const pwFile = join(dir, 'pw');
    await writeFile(pwFile, 'hunter2\n');
    const h = harness();
    handlers.push(json([{ targets: ['a:1'], labels: { env: 'x', __meta_url: 'no' } }, { targets: ['b:2'] }]));
    const d = httpDiscoverer(
      {
        url,
        refreshIntervalMs: 1000,
        httpClient: { ...baseClient, basicAuth: { username: 'u', password: { file: pwFile } } },
      },
      { logger: h.logger, metrics: h.metrics, scheduler: h.scheduler },
    );
    const sub = d.subscribe(h.push);
    try {
      const done = h.settled();
      h.tick();
      await done;
      expect(h.emissions).toEqual([
        [
          { source: `${url}:0`, targets: [{ __address__: 'a:1' }], labels: { env: 'x', __meta_url: url } },
          { source: `${url}:1`, targets: [{ __address__: 'b:2' }], labels: { __meta_url: url } },
        ],
      ]);
      const req = requests.at(-1)!;
      expect(req.headers.accept).toBe('application/json');
      expect(req.headers['x-prometheus-refresh-interval-seconds']).toBe('1');
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from('u:hunter2').toString('base64')}`);
      expect(req.headers['user-agent']).toBe('scrapewire-http-sd');
    } finally {
      sub.unsubscribe();
    }
  });

  it('should keep the last good groups across failures and send only changes', async () => {
    const h = harness();
    const d = httpDiscoverer(
      {
        url,
        refreshIntervalMs: 1000,
        httpClient: {
          ...baseClient,
          authorization: { type: 'Bearer', credentials: { inline: new Secret('tok') } },
        },
      },
      { logger: h.logger, metrics: h.metrics, scheduler: h.scheduler },
    );
    handlers.push(
      json([{ targets: ['a'] }, { targets: ['b'] }], 'application/json; charset=utf-8'),
      (_req, res) => res.writeHead(500).end('boom'),
      json([{ targets: ['c'] }], 'text/plain'),
      json({ not: 'a list' }),
      json([{ targets: ['a'] }, { targets: ['b'] }]),
      json([{ targets: ['a', 'z'] }]),
    );
    const sub = d.subscribe(h.push);
    const step = async () => {
      const done = h.settled();
      h.tick();
      await done;
    };
    try {
      await step();
      expect(h.emissions).toHaveLength(1);
      expect(requests.at(-1)!.headers.authorization).toBe('Bearer tok');
      for (let i = 0; i < 3; i++) await step();
      expect(h.metrics.incHttpFailures).toHaveBeenCalledTimes(3);
      expect(h.logger.error.mock.calls.map((c) => String((c[0] as { err: Error }).err.message))).toEqual([
        expect.stringContaining('server returned HTTP status 500 Internal Server Error'),
        expect.stringContaining('unsupported content type "text/plain"'),
        expect.stringContaining('expected a JSON array'),
      ]);
      expect(h.emissions).toHaveLength(1);
      // Unchanged body: nothing to send. (Settles through the refresh-duration metric instead.)
      const unchanged = new Promise<void>((r) =>
        h.metrics.observeRefreshDuration.mockImplementationOnce(() => r()),
      );
      h.tick();
      await unchanged;
      expect(h.emissions).toHaveLength(1);
      await step();
      expect(h.emissions[1]).toEqual([
        {
          source: `${url}:0`,
          targets: [{ __address__: 'a' }, { __address__: 'z' }],
          labels: { __meta_url: url },
        },
        { source: `${url}:1`, targets: [], labels: {} },
      ]);
    } finally {
      sub.unsubscribe();
    }
  });

  it('should abort the request in flight and leave no socket or timer behind on unsubscribe', async () => {
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    // Start from no open connection (earlier tests leave keep-alive sockets on the server side).
    server.closeAllConnections();
    for (let i = 0; i < 100 && count('TCPSocketWrap') > 0; i++) await new Promise((r) => setImmediate(r));
    const sockets = count('TCPSocketWrap');
    const armed = trackArmedTimers();
    let arrived: () => void = () => {};
    const inFlight = new Promise<void>((r) => (arrived = r));
    let clientGone: () => void = () => {};
    const closed = new Promise<void>((r) => (clientGone = r));
    handlers.push((req) => {
      req.socket.on('close', () => clientGone());
      arrived(); // never answers
    });
    const sub = httpDiscoverer({ url, refreshIntervalMs: 60_000, httpClient: baseClient }).subscribe();
    await inFlight;
    expect(count('TCPSocketWrap')).toBeGreaterThan(sockets);
    expect(armed.size).toBeGreaterThan(0); // the refresh timer and the request timeout
    sub.unsubscribe();
    await closed;
    for (let i = 0; i < 100 && count('TCPSocketWrap') > sockets; i++)
      await new Promise((r) => setImmediate(r));
    expect(count('TCPSocketWrap')).toBe(sockets);
    expect(armed.size).toBe(0);
  });

  it('should reject configs Prometheus rejects', () => {
    const cfg = { refreshIntervalMs: 1000, httpClient: baseClient };
    expect(() => httpDiscoverer({ ...cfg, url: 'ftp://x/' })).toThrow(/scheme/);
    expect(() => httpDiscoverer({ ...cfg, url: 'not a url' })).toThrow(/invalid URL/);
  });
});
