import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { createKubeClientMetrics, instrumentKubeConfig } from '@scrapewire/kube-client-metrics';
import { createRestClientMetrics } from '@scrapewire/kube-client-metrics/prom-client';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** Options of {@link startApp}. */
export interface AppOptions {
  /** Which cluster to talk to. */
  readonly kubeConfig: KubeConfig;
  /** Port of the HTTP server; 0 picks a free one. @defaultValue 0 */
  readonly port?: number;
  /** Address to listen on. @defaultValue `127.0.0.1` */
  readonly host?: string;
}

/** A running app. */
export interface App {
  /** Base URL of its HTTP server (`/metrics`, `/pods`). */
  readonly url: string;
  /** Stops the informer (closing its watch) and the HTTP server. */
  close(): Promise<void>;
}

/**
 * A small controller-style app: it keeps an informer cache of all pods, serves their names on `/pods`,
 * and serves its own metrics — including client-go style `rest_client_*` metrics for every request it
 * makes to the API server — on `/metrics`.
 */
export async function startApp(options: AppOptions): Promise<App> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // One explicit hooks instance per app. An application that owns its whole process may instead call
  // the process-wide `register(createRestClientMetrics())`, client-go's model.
  const metrics = createKubeClientMetrics();
  metrics.register(createRestClientMetrics({ registry }));

  const k8s = instrumentKubeConfig(options.kubeConfig, { metrics });
  const core = k8s.makeApiClient(CoreV1Api);
  const pods = k8s.makeInformer<V1Pod>('/api/v1/pods', () => core.listPodForAllNamespaces());
  let closing: Promise<void> | undefined;
  pods.on('error', (err) => {
    // client-node 1.x reports its own stop() as an AbortError; only other errors matter. The informer
    // stops on errors; a real controller would restart it after a delay.
    if (closing) return;
    console.error('pod informer stopped:', err);
  });
  await pods.start();

  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500);
          res.end(String(err));
        },
      );
      return;
    }
    if (req.url === '/pods') {
      const names = pods.list().map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(names.sort()));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { address, port } = server.address() as AddressInfo;

  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close() {
      closing ??= (async () => {
        await pods.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
