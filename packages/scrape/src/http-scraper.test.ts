import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ScrapeConfig } from '@scrapewire/config';
import { Secret } from '@scrapewire/config';
import { Labels } from '@scrapewire/model';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobConfig, RecordingAppendable } from '../test/helpers.js';
import { createHttpScraper } from './http-scraper.js';
import { defaultParserFactory } from './parser-factory.js';
import { scrapeLoop } from './scrape-loop.js';
import type { ScrapeReport } from './scrape-report.js';
import { ScrapeTarget } from './target.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let handler: Handler = (_req, res) => res.end();
const sockets = new Set<Socket>();
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

afterEach(() => {
  handler = (_req, res) => res.end();
});

const INTERVAL = 150;

function target(url: string, timeoutMs: number): ScrapeTarget {
  const l = Labels.from({ instance: 'x', job: 'job' });
  return new ScrapeTarget('job', l, l, url, INTERVAL, timeoutMs);
}

/** Runs a real scrape loop against `url` until it has produced `n` reports, then tears it down. */
// Generous default timeout: the machine running tests may be busy, and only the timeout tests need a short one.
// The loop allows a timeout above the interval; exhaustMap keeps scrapes from overlapping.
async function scrapeN(url: string, n: number, over: Partial<ScrapeConfig> = {}, timeoutMs = 2000) {
  const cfg = jobConfig({ scrapeIntervalMs: INTERVAL, scrapeTimeoutMs: timeoutMs, ...over });
  const client = createHttpScraper(cfg);
  const store = new RecordingAppendable();
  try {
    const reports = await firstValueFrom(
      scrapeLoop({
        target: target(url, timeoutMs),
        config: cfg,
        appendable: store,
        scrape: client.scrape,
        parserFactory: defaultParserFactory,
        metricRelabel: (l) => l,
      }).pipe(take(n), toArray()),
    );
    return { reports, store };
  } finally {
    await client.close();
  }
}

/** Every failure: up=0 with the message, nothing but report series committed, and the loop scraped again. */
function expectFailedTwice(
  reports: ScrapeReport[],
  store: RecordingAppendable,
  code: string,
  message: RegExp | string,
) {
  expect(reports).toHaveLength(2);
  for (const r of reports) {
    expect(r.up).toBe(false);
    expect(r.error?.code).toBe(code);
    if (typeof message === 'string') expect(r.error?.message).toBe(message);
    else expect(r.error?.message).toMatch(message);
    expect(r.error?.url).toBe(r.target.url);
    expect(r.target.health).toBe('down');
  }
  expect(store.committed.every((s) => /__name__="(up|scrape_[a-z_]+)"/.test(s.series))).toBe(true);
  expect(store.values('{__name__="up", instance="x", job="job"}')).toEqual([0, 0]);
  expect(store.open).toBe(0);
}

describe('HTTP scraping against loopback targets', () => {
  it('sends Prometheus headers and stores a gzip-compressed body', async () => {
    let seen: IncomingMessage['headers'] = {};
    handler = (req, res) => {
      seen = req.headers;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': 'gzip' });
      res.end(gzipSync('m{a="1"} 3\n'));
    };
    const { reports, store } = await scrapeN(`${base}/metrics`, 1, {
      httpClient: {
        ...jobConfig().httpClient,
        basicAuth: { username: 'u', password: { inline: new Secret('p') } },
      },
    });
    expect(reports[0]!.up).toBe(true);
    expect(store.values('{__name__="m", a="1", instance="x", job="job"}')).toEqual([3]);
    expect(seen.accept).toBe(
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    );
    expect(seen['accept-encoding']).toBe('gzip');
    expect(seen['x-prometheus-scrape-timeout-seconds']).toBe('2');
    expect(seen['user-agent']).toBe('scrapewire');
    expect(seen.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('sends identity encoding without compression, and the authorization header', async () => {
    let seen: IncomingMessage['headers'] = {};
    handler = (req, res) => {
      seen = req.headers;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('m 1\n');
    };
    await scrapeN(`${base}/m`, 1, {
      enableCompression: false,
      httpClient: {
        ...jobConfig().httpClient,
        authorization: { type: 'Bearer', credentials: { inline: new Secret('tok') } },
      },
    });
    expect(seen['accept-encoding']).toBe('identity');
    expect(seen.authorization).toBe('Bearer tok');
  });

  it('sends http_headers and reads credentials from files on every scrape', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sw-cred-'));
    writeFileSync(join(d, 'user'), 'alice\n');
    writeFileSync(join(d, 'pass'), 'one\n');
    writeFileSync(join(d, 'hdr'), 'from-file\n');
    const auths: string[] = [];
    let seen: IncomingMessage['headers'] = {};
    handler = (req, res) => {
      seen = req.headers;
      auths.push(req.headers.authorization ?? '');
      // Rotate the password between scrapes: the next scrape must pick it up without a reload.
      writeFileSync(join(d, 'pass'), 'two\n');
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('m 1\n');
    };
    try {
      await scrapeN(`${base}/h`, 2, {
        httpClient: {
          ...jobConfig().httpClient,
          basicAuth: { usernameFile: join(d, 'user'), password: { file: join(d, 'pass') } },
          httpHeaders: {
            'X-Plain': { values: ['a', 'b'], secrets: [], files: [] },
            'X-Secret': { values: [], secrets: [new Secret('s3')], files: [join(d, 'hdr')] },
          },
        },
      });
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
    const b64 = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    expect(auths).toEqual([b64('alice:one'), b64('alice:two')]);
    expect(seen['x-plain']).toBe('a, b');
    expect(seen['x-secret']).toBe('s3, from-file');
  });

  it('fails the scrape, naming the target, when the OAuth2 token endpoint fails', async () => {
    handler = (req, res) => {
      if (req.url === '/token') {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"error":"invalid_client"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('m 1\n');
    };
    const oauth2 = {
      clientId: 'id',
      clientSecret: { inline: new Secret('bad') },
      scopes: ['a', 'b'],
      tokenUrl: `${base}/token`,
      endpointParams: {},
      tlsConfig: { insecureSkipVerify: false },
    };
    const { reports, store } = await scrapeN(`${base}/m`, 2, {
      httpClient: { ...jobConfig().httpClient, oauth2 },
    });
    expectFailedTwice(
      reports,
      store,
      'SW_ERR_SCRAPE_TRANSPORT',
      new RegExp(`^Get "${base}/m": oauth2: cannot fetch token: status 401`),
    );
  });

  it('drops credentials when a redirect leaves the host', async () => {
    let otherAuth = 'unset';
    const other = createServer((req, res) => {
      otherAuth = req.headers.authorization ?? 'none';
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('m 1\n');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    // `localhost` instead of 127.0.0.1: another host for the redirect check, same machine.
    const otherBase = `http://localhost:${(other.address() as AddressInfo).port}`;
    let sameHostAuth = '';
    handler = (req, res) => {
      if (req.url === '/same') {
        res.writeHead(302, { location: '/final' });
        res.end();
        return;
      }
      if (req.url === '/final') {
        sameHostAuth = req.headers.authorization ?? 'none';
        res.writeHead(302, { location: `${otherBase}/elsewhere` });
        res.end();
        return;
      }
      res.end();
    };
    try {
      const { reports } = await scrapeN(`${base}/same`, 1, {
        httpClient: {
          ...jobConfig().httpClient,
          authorization: { type: 'Bearer', credentials: { inline: new Secret('t') } },
        },
      });
      expect(reports[0]!.up).toBe(true);
      expect(sameHostAuth).toBe('Bearer t');
      expect(otherAuth).toBe('none');
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  it('fetches an OAuth2 client-credentials token once and reuses it until expiry', async () => {
    let tokenRequests = 0;
    let auth = '';
    handler = (req, res) => {
      if (req.url === '/token') {
        tokenRequests++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'abc', token_type: 'bearer', expires_in: 3600 }));
        return;
      }
      auth = req.headers.authorization ?? '';
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('m 1\n');
    };
    const { reports } = await scrapeN(`${base}/m`, 3, {
      httpClient: {
        ...jobConfig().httpClient,
        oauth2: {
          clientId: 'id',
          clientSecret: { inline: new Secret('s') },
          scopes: [],
          tokenUrl: `${base}/token`,
          endpointParams: {},
          tlsConfig: { insecureSkipVerify: false },
        },
      },
    });
    expect(reports.every((r) => r.up)).toBe(true);
    expect(auth).toBe('Bearer abc');
    expect(tokenRequests).toBe(1);
  });

  it('goes through an HTTP proxy (CONNECT) when proxy_url is set', async () => {
    const proxy = createServer();
    const tunnels: string[] = [];
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = netConnect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('m 1\n');
    };
    try {
      const { reports } = await scrapeN(`${base}/via-proxy`, 1, {
        httpClient: {
          ...jobConfig().httpClient,
          proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        },
      });
      expect(reports[0]!.up).toBe(true);
      expect(tunnels).toEqual([base.replace('http://', '')]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('slow target: times out with up=0 and scrapes again', async () => {
    handler = (_req, res) => {
      const t = setTimeout(() => res.end('m 1\n'), 5_000);
      res.on('close', () => clearTimeout(t));
    };
    const { reports, store } = await scrapeN(`${base}/slow`, 2, {}, 50);
    expectFailedTwice(
      reports,
      store,
      'SW_ERR_SCRAPE_TIMEOUT',
      `Get "${base}/slow": context deadline exceeded`,
    );
  });

  it('hanging target: times out and the connection is closed', async () => {
    handler = () => {};
    const { reports, store } = await scrapeN(`${base}/hang`, 2, {}, 50);
    expectFailedTwice(reports, store, 'SW_ERR_SCRAPE_TIMEOUT', /context deadline exceeded/);
  });

  it('endless body: fails at body_size_limit', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const line = Buffer.from('m 1\n'.repeat(4096));
      const pump = () => {
        while (res.write(line)) {}
      };
      res.on('drain', pump);
      pump();
    };
    const { reports, store } = await scrapeN(`${base}/endless`, 2, {
      bodySizeLimitBytes: 1 << 20,
      extraScrapeMetrics: true,
    });
    expectFailedTwice(reports, store, 'SW_ERR_BODY_SIZE_LIMIT', 'body size limit exceeded');
    expect(reports[0]!.bodySizeBytes).toBe(-1);
    expect(store.values('{__name__="scrape_body_size_bytes", instance="x", job="job"}')).toEqual([-1, -1]);
  });

  it('gzip bomb: the limit applies to decompressed bytes', async () => {
    const bomb = gzipSync(Buffer.alloc(64 << 20, 0x20));
    expect(bomb.length).toBeLessThan(1 << 20);
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      res.end(bomb);
    };
    const { reports, store } = await scrapeN(`${base}/bomb`, 2, { bodySizeLimitBytes: 1 << 20 });
    expectFailedTwice(reports, store, 'SW_ERR_BODY_SIZE_LIMIT', 'body size limit exceeded');
  });

  it('fails a body of exactly the limit, as Prometheus does', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('m 1\n');
    };
    const { reports, store } = await scrapeN(`${base}/exact`, 2, { bodySizeLimitBytes: 4 });
    expectFailedTwice(reports, store, 'SW_ERR_BODY_SIZE_LIMIT', 'body size limit exceeded');
  });

  it('missing Content-Type: fails without fallback_scrape_protocol', async () => {
    handler = (_req, res) => {
      res.removeHeader('content-type');
      res.end('m 1\n');
    };
    const { reports, store } = await scrapeN(`${base}/noct`, 2);
    expectFailedTwice(reports, store, 'SW_ERR_CONTENT_TYPE', /blank Content-Type/);
  });

  it('wrong Content-Type: fails without fallback_scrape_protocol', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    };
    const { reports, store } = await scrapeN(`${base}/json`, 2);
    expectFailedTwice(reports, store, 'SW_ERR_CONTENT_TYPE', /unsupported Content-Type "application\/json"/);
  });

  it('HTTP 500: fails with Prometheus wording', async () => {
    handler = (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('oops');
    };
    const { reports, store } = await scrapeN(`${base}/500`, 2);
    expectFailedTwice(
      reports,
      store,
      'SW_ERR_SCRAPE_HTTP_STATUS',
      'server returned HTTP status 500 Internal Server Error',
    );
  });

  it('redirect loop: stops after 10 redirects', async () => {
    let hops = 0;
    handler = (_req, res) => {
      hops++;
      res.writeHead(302, { location: '/loop' });
      res.end();
    };
    const { reports, store } = await scrapeN(`${base}/loop`, 2);
    expectFailedTwice(
      reports,
      store,
      'SW_ERR_SCRAPE_TRANSPORT',
      `Get "${base}/loop": stopped after 10 redirects`,
    );
    expect(hops).toBe(22);
  });

  it('follows a redirect, or reports the 3xx when follow_redirects is off', async () => {
    handler = (req, res) => {
      if (req.url === '/old') {
        res.writeHead(301, { location: '/new' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('m 1\n');
    };
    expect((await scrapeN(`${base}/old`, 1)).reports[0]!.up).toBe(true);
    const off = await scrapeN(`${base}/old`, 1, {
      httpClient: { ...jobConfig().httpClient, followRedirects: false },
    });
    expect(off.reports[0]!.error?.message).toBe('server returned HTTP status 301 Moved Permanently');
  });

  it('body broken mid-way: fails and stores nothing of it', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('m{a="1"} 1\nm{a="2"} 2\n');
      setImmediate(() => res.socket?.destroy());
    };
    const { reports, store } = await scrapeN(`${base}/broken`, 2);
    expectFailedTwice(reports, store, 'SW_ERR_SCRAPE_TRANSPORT', new RegExp(`^Get "${base}/broken": `));
  });

  it('connection refused: fails with the target URL', async () => {
    // Port 1 (tcpmux) has no listener here. A port freed by this test could be taken by another test
    // file running in parallel before the scrape connects, which made this test flaky.
    const { reports, store } = await scrapeN('http://127.0.0.1:1/metrics', 2);
    expectFailedTwice(reports, store, 'SW_ERR_SCRAPE_TRANSPORT', /ECONNREFUSED/);
  });

  it('reuses a released body buffer for the next scrape, and never one still held', async () => {
    let n = 0;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      // Several writes, so the body arrives in several chunks.
      n++;
      for (let i = 0; i < 50; i++) res.write(`m{i="${i}",n="${n}"} ${i}\n${'#'.repeat(2000)}\n`);
      res.end();
    };
    const client = createHttpScraper(jobConfig());
    const req = () => ({ url: `${base}/m`, timeoutMs: 5000, signal: new AbortController().signal });
    try {
      const a = await client.scrape(req());
      const b = await client.scrape(req());
      // Both held: different memory, each its own body.
      expect(a.body.buffer).not.toBe(b.body.buffer);
      expect(Buffer.from(a.body).toString('latin1')).toContain('n="1"');
      expect(Buffer.from(b.body).toString('latin1')).toContain('n="2"');
      a.release?.();
      const c = await client.scrape(req());
      expect(c.body.buffer).toBe(a.body.buffer);
      expect(Buffer.from(c.body).toString('latin1')).toContain('n="3"');
      expect(Buffer.from(b.body).toString('latin1')).toContain('n="2"');
      b.release?.();
      c.release?.();
    } finally {
      await client.close();
    }
  });

  it('does not read the body of an error response', async () => {
    let written = 0;
    handler = (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain' });
      // An endless error body: the scrape must fail at the status, not wait for the body or the timeout.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!res.destroyed && written < 256 << 20 && res.write(chunk)) written += chunk.length;
        if (!res.destroyed && written < 256 << 20) res.once('drain', pump);
      };
      pump();
    };
    const client = createHttpScraper(jobConfig());
    try {
      await expect(
        client.scrape({ url: `${base}/err`, timeoutMs: 5000, signal: new AbortController().signal }),
      ).rejects.toThrow('server returned HTTP status 503 Service Unavailable');
    } finally {
      await client.close();
    }
    expect(written).toBeLessThan(64 << 20);
  });

  it('leaves no open connection after the loop is unsubscribed mid-request', async () => {
    handler = () => {};
    const cfg = jobConfig({ scrapeIntervalMs: INTERVAL, scrapeTimeoutMs: 10_000 });
    const client = createHttpScraper(cfg);
    let connected!: () => void;
    const gotRequest = new Promise<void>((r) => (connected = r));
    handler = () => connected();
    const sub = scrapeLoop({
      target: target(`${base}/held`, 10_000),
      config: cfg,
      appendable: new RecordingAppendable(),
      scrape: client.scrape,
      parserFactory: defaultParserFactory,
      metricRelabel: (l) => l,
    }).subscribe();
    await gotRequest;
    expect(sockets.size).toBeGreaterThan(0);
    const closed = [...sockets].map((s) => new Promise((r) => s.once('close', r)));
    sub.unsubscribe();
    await client.close();
    await Promise.all(closed);
    expect(sockets.size).toBe(0);
  });
});

describe('TLS', () => {
  let dir: string;
  let tlsServer: ReturnType<typeof createHttpsServer> | undefined;
  let tlsBase = '';
  let cert = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sw-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=DNS:localhost,IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
    } catch {
      return;
    }
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    tlsServer = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('m 1\n');
    });
    await new Promise<void>((r) => tlsServer!.listen(0, '127.0.0.1', r));
    tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    if (tlsServer) {
      tlsServer.closeAllConnections();
      await new Promise((r) => tlsServer!.close(r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails an untrusted self-signed certificate, and succeeds with the CA or skip-verify', async (ctx) => {
    if (!tlsServer) ctx.skip(); // openssl CLI unavailable: no certificate to test with.
    const untrusted = await scrapeN(`${tlsBase}/metrics`, 2, { scheme: 'https' });
    expectFailedTwice(
      untrusted.reports,
      untrusted.store,
      'SW_ERR_SCRAPE_TRANSPORT',
      /self[- ]signed certificate/,
    );
    const withCa = await scrapeN(`${tlsBase}/metrics`, 1, {
      httpClient: { ...jobConfig().httpClient, tlsConfig: { insecureSkipVerify: false, ca: cert } },
    });
    expect(withCa.reports[0]!.up).toBe(true);
    const skip = await scrapeN(`${tlsBase}/metrics`, 1, {
      httpClient: { ...jobConfig().httpClient, tlsConfig: { insecureSkipVerify: true } },
    });
    expect(skip.reports[0]!.up).toBe(true);
  });

  it('checks the server name', async (ctx) => {
    if (!tlsServer) ctx.skip();
    const wrong = await scrapeN(`${tlsBase}/metrics`, 1, {
      httpClient: {
        ...jobConfig().httpClient,
        tlsConfig: { insecureSkipVerify: false, ca: cert, serverName: 'other.example' },
      },
    });
    expect(wrong.reports[0]!.error?.message).toMatch(/other\.example/);
  });
});
