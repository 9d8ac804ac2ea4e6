import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A minimal fake Kubernetes API server on 127.0.0.1:0, just enough for the instrumentation tests:
 *
 * - `GET /api/v1/namespaces/default/pods` lists one pod; with `watch=true` it streams one ADDED event and
 *   keeps the connection open until the client goes away;
 * - `GET|PUT|PATCH|DELETE /api/v1/namespaces/default/pods/p1` answer with the pod, `…/missing` with 404;
 * - `POST /api/v1/namespaces/default/pods` creates (201);
 * - `GET /api/v1/nodes` fails with 500; `/api/v1/namespaces/forbidden/…` with 403, `…/unauthorized/…`
 *   with 401;
 * - anything under `/api/v1/namespaces/reset/` resets the connection without answering;
 * - `GET /api/v1/namespaces/slow/pods` answers after `slowMs`.
 *
 * (The full fake lives in `@scrapewire/test-utils`; this one keeps the package's tests self-contained.)
 */
export interface MiniKubeApi {
  readonly url: string;
  /** Every request seen, as `METHOD path?query`. */
  readonly requests: string[];
  /** Watch responses currently open. */
  openWatches(): number;
  /** Resolves when the number of open watches reaches `n`. */
  waitForOpenWatches(n: number): Promise<void>;
  kubeConfig(): KubeConfig;
  close(): Promise<void>;
}

const pod = (name: string, rv: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: rv },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: 'Running', podIP: '10.0.0.1' },
});

const status = (code: number, reason: string) => ({
  apiVersion: 'v1',
  kind: 'Status',
  metadata: {},
  status: 'Failure',
  reason,
  code,
  message: reason,
});

export async function startMiniKubeApi(options: { slowMs?: number } = {}): Promise<MiniKubeApi> {
  const requests: string[] = [];
  const watches = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let waiters: Array<() => void> = [];
  const notify = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  const json = (res: ServerResponse, code: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    requests.push(`${method} ${u.pathname}${u.search}`);
    const path = u.pathname;
    if (path.startsWith('/api/v1/namespaces/reset/')) {
      req.socket.destroy();
      return;
    }
    if (path.startsWith('/api/v1/namespaces/forbidden/')) return json(res, 403, status(403, 'Forbidden'));
    if (path.startsWith('/api/v1/namespaces/unauthorized/'))
      return json(res, 401, status(401, 'Unauthorized'));
    if (path === '/api/v1/nodes') return json(res, 500, status(500, 'InternalError'));
    if (path === '/api/v1/namespaces/slow/pods') {
      setTimeout(
        () =>
          json(res, 200, {
            apiVersion: 'v1',
            kind: 'PodList',
            metadata: { resourceVersion: '5' },
            items: [],
          }),
        options.slowMs ?? 0,
      );
      return;
    }
    if (path === '/api/v1/namespaces/default/pods') {
      if (method === 'POST') {
        const created = {
          ...JSON.parse(body || '{}'),
          metadata: { name: 'p2', namespace: 'default', resourceVersion: '6' },
        };
        return json(res, 201, created);
      }
      if (u.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'ADDED', object: pod('p3', '7') })}\n`);
        watches.add(res);
        notify();
        res.on('close', () => {
          watches.delete(res);
          notify();
        });
        return;
      }
      return json(res, 200, {
        apiVersion: 'v1',
        kind: 'PodList',
        metadata: { resourceVersion: '5' },
        items: [pod('p1', '5')],
      });
    }
    if (path === '/api/v1/namespaces/default/pods/p1') return json(res, 200, pod('p1', '5'));
    if (path.startsWith('/api/v1/namespaces/default/pods/')) return json(res, 404, status(404, 'NotFound'));
    return json(res, 404, status(404, 'NotFound'));
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => handle(req, res, body));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    requests,
    openWatches: () => watches.size,
    waitForOpenWatches(n) {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (watches.size === n) resolve();
          else waiters.push(check);
        };
        check();
      });
    },
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'u' }],
        contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
        currentContext: 'c',
      });
      return kc;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A KubeConfig pointing at a port nothing listens on. */
export async function refusedKubeConfig(): Promise<KubeConfig> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'gone', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 'gone', user: 'u' }],
    currentContext: 'c',
  });
  return kc;
}
