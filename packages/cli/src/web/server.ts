import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { noopLogger, type Logger } from '@scrapewire/model';
import type { AgentView } from './agent-view.js';
import { targetsApiBody } from './targets-api.js';
import { targetsPage } from './targets-page.js';

export interface AgentServerOptions {
  /** Allows `POST /-/reload` and `POST /-/quit` (Prometheus's `--web.enable-lifecycle`). @defaultValue false */
  readonly enableLifecycle?: boolean;
  /** Called by `POST /-/quit` when lifecycle is enabled. */
  readonly onQuit?: () => void;
  readonly logger?: Logger;
  /** The name in health and readiness answers. @defaultValue 'scrapewire Agent' */
  readonly appName?: string;
  /** @internal Test seam for the targets page's "ago" column. */
  readonly now?: () => number;
}

/**
 * The agent's HTTP server: Prometheus's API shapes where Prometheus has them (`/api/v1/targets`,
 * `/api/v1/status/config`, `/federate`, `/-/healthy`, `/-/ready`, `/-/reload`, `/-/quit`), its own
 * `/metrics`, and a plain HTML `/targets` page. Returns an unstarted `http.Server`.
 */
export function createAgentServer(view: AgentView, options: AgentServerOptions = {}): Server {
  const logger = options.logger ?? noopLogger;
  const appName = options.appName ?? 'scrapewire Agent';
  const now = options.now ?? Date.now;

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    contentType = 'text/plain; charset=utf-8',
  ) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown) =>
    send(res, status, JSON.stringify(body), 'application/json');

  const lifecycle = (req: IncomingMessage, res: ServerResponse, action: () => Promise<void>) => {
    if (req.method !== 'POST' && req.method !== 'PUT')
      return send(res, 405, 'Only POST or PUT requests allowed');
    if (!options.enableLifecycle) return send(res, 403, 'Lifecycle API is not enabled.');
    action().then(
      () => send(res, 200, ''),
      (err: unknown) =>
        send(res, 500, `failed to reload config: ${err instanceof Error ? err.message : String(err)}`),
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://agent');
    switch (url.pathname) {
      case '/':
        res.writeHead(302, { Location: '/targets' });
        res.end();
        return;
      case '/-/healthy':
        return send(res, 200, `${appName} is Healthy.\n`);
      case '/-/ready':
        if (view.isReady()) return send(res, 200, `${appName} is Ready.\n`);
        res.setHeader('X-Prometheus-Stopping', 'false');
        return send(res, 503, 'Service Unavailable');
      case '/-/reload':
        return lifecycle(req, res, () => view.reload());
      case '/-/quit':
        return lifecycle(req, res, async () => options.onQuit?.());
      case '/metrics': {
        const m = await view.metrics();
        return send(res, 200, m.body, m.contentType);
      }
      case '/api/v1/targets':
        return json(
          res,
          200,
          targetsApiBody(view.targets(), url.searchParams.get('state'), url.searchParams.get('scrapePool')),
        );
      case '/api/v1/status/config':
        return json(res, 200, { status: 'success', data: { yaml: view.configYaml() } });
      case '/federate': {
        const selectors = url.searchParams.getAll('match[]');
        if (selectors.length === 0) return send(res, 400, 'match[] is required');
        try {
          return send(res, 200, view.federate(selectors), 'text/plain; version=0.0.4; charset=utf-8');
        } catch (err) {
          return send(res, 400, err instanceof Error ? err.message : String(err));
        }
      }
      case '/targets':
        return send(res, 200, targetsPage(view.targets(), now()), 'text/html; charset=utf-8');
      default:
        return send(res, 404, '404 page not found\n');
    }
  };

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err, url: req.url }, 'http handler failed');
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });
}
