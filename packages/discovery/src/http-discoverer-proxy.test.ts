import { type IncomingMessage, type Server, createServer } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { Secret } from '@scrapewire/config';
import type { HttpClientConfig } from '@scrapewire/config';
import type { TargetGroup } from '@scrapewire/model';
import { firstValueFrom, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpDiscoverer } from './http-discoverer.js';

describe('httpDiscoverer through proxy_url', () => {
  let target: Server;
  let proxy: Server;
  let targetUrl: string;
  let proxyUrl: string;
  const connects: IncomingMessage[] = [];
  const tunnels = new Set<Socket>();

  beforeAll(async () => {
    target = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('[{"targets":["p:1"]}]');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/sd`;
    // A minimal CONNECT proxy: records the request, then splices the two sockets.
    proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      connects.push(req);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        tunnels.add(s);
        s.on('close', () => tunnels.delete(s));
        s.on('error', () => s.destroy());
      }
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of tunnels) s.destroy();
    target.closeAllConnections();
    proxy.closeAllConnections();
    await new Promise((r) => target.close(r));
    await new Promise((r) => proxy.close(r));
  });

  it('should tunnel through the proxy and send proxy_connect_header', async () => {
    const httpClient: HttpClientConfig = {
      tlsConfig: { insecureSkipVerify: false },
      proxyUrl,
      proxyFromEnvironment: false,
      proxyConnectHeader: { 'X-Proxy-Token': [new Secret('t0k')] },
      httpHeaders: {},
      followRedirects: true,
      enableHttp2: true,
    };
    const groups: TargetGroup[] = await firstValueFrom(
      httpDiscoverer({ url: targetUrl, refreshIntervalMs: 60_000, httpClient }).pipe(timeout(5000)),
    );
    expect(groups).toEqual([
      { source: `${targetUrl}:0`, targets: [{ __address__: 'p:1' }], labels: { __meta_url: targetUrl } },
    ]);
    expect(connects).toHaveLength(1);
    expect(connects[0]!.url).toBe(new URL(targetUrl).host);
    expect(connects[0]!.headers['x-proxy-token']).toBe('t0k');
  });
});
