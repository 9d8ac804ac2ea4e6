import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret } from '@scrapewire/config';
import type { HttpClientConfig, OAuth2Config } from '@scrapewire/config';
import { firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpDiscoverer } from './http-discoverer.js';
import { OAuth2TokenSource } from './oauth2-token.js';

describe('OAuth 2.0 client credentials', () => {
  let server: Server;
  let base: string;
  const tokenRequests: { headers: IncomingMessage['headers']; body: string }[] = [];
  const expiresIn = 3600;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/token') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          tokenRequests.push({ headers: req.headers, body });
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              access_token: `tok${tokenRequests.length}`,
              token_type: 'bearer',
              expires_in: expiresIn,
            }),
          );
        });
        return;
      }
      if (req.headers.authorization !== 'Bearer tok1') {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('[{"targets":["o:1"]}]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const oauth2 = (): OAuth2Config => ({
    clientId: 'id:1',
    clientSecret: { inline: new Secret('s&cret') },
    scopes: ['read', 'write'],
    tokenUrl: `${base}/token`,
    endpointParams: { audience: 'sd' },
    tlsConfig: { insecureSkipVerify: false },
  });

  it('should fetch a token with basic client auth and the form Go sends, and reuse it until it expires', async () => {
    tokenRequests.length = 0;
    let now = 1_000_000;
    const source = new OAuth2TokenSource(oauth2(), () => now);
    try {
      expect(await source.authorization()).toBe('Bearer tok1');
      expect(await source.authorization()).toBe('Bearer tok1');
      expect(tokenRequests).toHaveLength(1);
      const form = new URLSearchParams(tokenRequests[0]!.body);
      expect(Object.fromEntries(form)).toEqual({
        grant_type: 'client_credentials',
        scope: 'read write',
        audience: 'sd',
      });
      expect(tokenRequests[0]!.headers.authorization).toBe(
        `Basic ${Buffer.from('id%3A1:s%26cret').toString('base64')}`,
      );
      now += 3600_000 - 5_000; // inside the 10 s renewal margin
      expect(await source.authorization()).toBe('Bearer tok2');
      source.invalidate();
      expect(await source.authorization()).toBe('Bearer tok3');
    } finally {
      await source.close();
    }
  });

  it('should authenticate http_sd requests with the token', async () => {
    tokenRequests.length = 0;
    const httpClient: HttpClientConfig = {
      oauth2: oauth2(),
      tlsConfig: { insecureSkipVerify: false },
      proxyFromEnvironment: false,
      proxyConnectHeader: {},
      httpHeaders: {},
      followRedirects: true,
      enableHttp2: true,
    };
    const url = `${base}/sd`;
    const groups = await firstValueFrom(
      httpDiscoverer({ url, refreshIntervalMs: 60_000, httpClient }).pipe(timeout(5000)),
    );
    expect(groups).toEqual([
      { source: `${url}:0`, targets: [{ __address__: 'o:1' }], labels: { __meta_url: url } },
    ]);
  });
});
