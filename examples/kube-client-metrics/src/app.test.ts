import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type App, startApp } from './app.js';

const pod = (ns: string, name: string, rv: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: ns, name, uid: `${ns}-${name}`, resourceVersion: rv },
});

/** A tiny fake API server: lists two pods on /api/v1/pods, and on watch adds a third and stays open. */
async function startFakeApi() {
  const sockets = new Set<Socket>();
  const watches = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/api/v1/pods') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","code":404}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (u.searchParams.get('watch') === 'true') {
      res.write(`${JSON.stringify({ type: 'ADDED', object: pod('kube-system', 'dns-0', '12') })}\n`);
      watches.add(res);
      res.on('close', () => watches.delete(res));
      return;
    }
    res.end(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'PodList',
        metadata: { resourceVersion: '11' },
        items: [pod('default', 'web-0', '10'), pod('default', 'web-1', '11')],
      }),
    );
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    watches,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('example app', () => {
  let api: Awaited<ReturnType<typeof startFakeApi>>;
  let app: App;
  beforeAll(async () => {
    api = await startFakeApi();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
      currentContext: 'c',
    });
    app = await startApp({ kubeConfig });
  });
  afterAll(async () => {
    await app?.close();
    await api?.close();
  });

  it('serves the informer cache', async () => {
    await vi.waitFor(async () => {
      const pods = await (await fetch(`${app.url}/pods`)).json();
      expect(pods).toEqual(['default/web-0', 'default/web-1', 'kube-system/dns-0']);
    });
  });

  it('serves rest_client_* metrics for its LIST and WATCH', async () => {
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const host = new URL(api.url).host;
    // One LIST and one WATCH, both answered 200.
    expect(text).toContain(`rest_client_requests_total{code="200",method="GET",host="${host}"} 2`);
    // Latency only for the LIST, labelled with its URL template.
    expect(text).toContain(
      `rest_client_request_duration_seconds_count{verb="GET",url="${api.url}/api/v1/pods"} 1`,
    );
    expect(text).toMatch(
      new RegExp(`rest_client_response_size_bytes_sum\\{verb="GET",host="${host}"\\} [1-9]`),
    );
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('closes its watch when it stops', async () => {
    expect(api.watches.size).toBe(1);
    await app.close();
    await vi.waitFor(() => expect(api.watches.size).toBe(0));
  });
});
