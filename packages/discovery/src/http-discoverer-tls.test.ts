import { readFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { HttpClientConfig } from '@scrapewire/config';
import type { TargetGroup } from '@scrapewire/model';
import type { Subscription } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpDiscoverer } from './http-discoverer.js';
import { noopDiscoveryMetrics } from './metrics.js';

const tlsDir = fileURLToPath(new URL('../test/fixtures/tls/', import.meta.url));
const BODY = JSON.stringify([{ targets: ['a:1'] }]);

const client = (over: Partial<HttpClientConfig> = {}): HttpClientConfig => ({
  tlsConfig: { insecureSkipVerify: false },
  proxyFromEnvironment: false,
  proxyConnectHeader: {},
  httpHeaders: {},
  followRedirects: true,
  enableHttp2: true,
  ...over,
});

/** The first emission, or the first failure logged, whichever comes first; then unsubscribes. */
function firstOutcome(url: string, httpClient: HttpClientConfig): Promise<TargetGroup[] | Error> {
  return new Promise((resolve, reject) => {
    let sub: Subscription | undefined;
    let done = false;
    const finish = (v: TargetGroup[] | Error) => {
      done = true;
      clearTimeout(t);
      sub?.unsubscribe();
      resolve(v);
    };
    const t = setTimeout(() => reject(new Error('no outcome within 5 s')), 5000);
    const logger = {
      debug: vi.fn(),
      info: vi.fn(),
      warn: vi.fn(),
      error: vi.fn((obj: object) => finish((obj as { err: Error }).err)),
    };
    sub = httpDiscoverer(
      { url, refreshIntervalMs: 60_000, httpClient },
      { logger, metrics: noopDiscoveryMetrics },
    ).subscribe((groups) => finish(groups));
    if (done) sub.unsubscribe();
  });
}

describe('httpDiscoverer over TLS and redirects', () => {
  let https: Server;
  let plain: Server;
  let httpsUrl: string;
  let plainUrl: string;

  beforeAll(async () => {
    https = createHttpsServer(
      {
        cert: await readFile(`${tlsDir}server.pem`),
        key: await readFile(`${tlsDir}server.key`),
      },
      (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY),
    );
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    httpsUrl = `https://127.0.0.1:${(https.address() as AddressInfo).port}/sd`;
    plain = createServer((req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: '/sd' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(BODY);
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    https.closeAllConnections();
    plain.closeAllConnections();
    await new Promise((r) => https.close(r));
    await new Promise((r) => plain.close(r));
  });

  it('should trust a server signed by ca_file', async () => {
    const out = await firstOutcome(
      httpsUrl,
      client({ tlsConfig: { insecureSkipVerify: false, caFile: `${tlsDir}ca.pem` } }),
    );
    expect(out).toEqual([
      { source: `${httpsUrl}:0`, targets: [{ __address__: 'a:1' }], labels: { __meta_url: httpsUrl } },
    ]);
  });

  it('should refuse an unknown CA, unless insecure_skip_verify', async () => {
    const refused = await firstOutcome(httpsUrl, client());
    expect(refused).toBeInstanceOf(Error);
    expect((refused as unknown as { code: string }).code).toBe('SW_ERR_SD_HTTP_REFRESH');
    const skipped = await firstOutcome(httpsUrl, client({ tlsConfig: { insecureSkipVerify: true } }));
    expect(Array.isArray(skipped)).toBe(true);
  });

  it('should follow redirects only when follow_redirects is on', async () => {
    const followed = await firstOutcome(`${plainUrl}/moved`, client());
    expect(Array.isArray(followed)).toBe(true);
    const stopped = await firstOutcome(`${plainUrl}/moved`, client({ followRedirects: false }));
    expect(String(stopped)).toMatch(/HTTP status 302/);
  });
});
