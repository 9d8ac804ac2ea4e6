import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HTTP } from '../../test/config.js';
import { createHttpRemoteWriteClient, parseRetryAfter, type RemoteWriteClient } from './http-client.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8');
const cert = fixture('tls-cert.pem');
const key = fixture('tls-key.pem');

describe('parseRetryAfter', () => {
  it('reads delay seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('HTTP remote write client over TLS', () => {
  const clients: RemoteWriteClient[] = [];
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  });

  async function tlsServer(): Promise<string> {
    const s = createServer({ cert, key }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = 204;
        res.end();
      });
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `https://127.0.0.1:${(s.address() as AddressInfo).port}/api/v1/write`;
  }

  function client(url: string, tls: Partial<typeof DEFAULT_HTTP.tlsConfig>) {
    const c = createHttpRemoteWriteClient({
      url,
      remoteTimeoutMs: 5000,
      headers: {},
      retryOnHttp429: false,
      httpClient: { ...DEFAULT_HTTP, tlsConfig: { ...DEFAULT_HTTP.tlsConfig, ...tls } },
    });
    clients.push(c);
    return c;
  }

  it('trusts the configured CA, refuses an unknown one, and skips verification when told', async () => {
    const url = await tlsServer();
    const signal = new AbortController().signal;
    expect(await client(url, { ca: cert }).send(new Uint8Array([0]), 0, signal)).toEqual({ kind: 'ok' });
    const refused = await client(url, {}).send(new Uint8Array([0]), 0, signal);
    expect(refused.kind).toBe('retry');
    expect(await client(url, { insecureSkipVerify: true }).send(new Uint8Array([0]), 0, signal)).toEqual({
      kind: 'ok',
    });
  });
});

describe('HTTP remote write client redirects', () => {
  it('follows a 307 with the body when follow_redirects is on, and fails on it when off', async () => {
    const bodies: number[] = [];
    const srv = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/old') {
          res.writeHead(307, { location: '/new' });
          res.end();
          return;
        }
        bodies.push(Buffer.concat(chunks).length);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/old`;
    const signal = new AbortController().signal;
    const mk = (followRedirects: boolean) =>
      createHttpRemoteWriteClient({
        url,
        remoteTimeoutMs: 5000,
        headers: {},
        retryOnHttp429: false,
        httpClient: { ...DEFAULT_HTTP, followRedirects },
      });
    const on = mk(true);
    const off = mk(false);
    try {
      expect(await on.send(new Uint8Array([1, 2, 3]), 0, signal)).toEqual({ kind: 'ok' });
      expect(bodies).toEqual([3]);
      expect(await off.send(new Uint8Array([1, 2, 3]), 0, signal)).toMatchObject({
        kind: 'fail',
        status: 307,
      });
    } finally {
      await on.close();
      await off.close();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});
