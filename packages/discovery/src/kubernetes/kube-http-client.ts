import {
  Agent as HttpAgent,
  type IncomingMessage,
  type ClientRequest,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { SchedulerLike } from 'rxjs';
import { KubernetesApiError } from './errors.js';
import { type KubeRequestHooks, safeCall, urlTemplate } from './metrics.js';

/** TLS settings for an `https:` API server. */
export interface KubeTlsOptions {
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly servername?: string;
  readonly rejectUnauthorized?: boolean;
}

/** Where and how to reach the API server. */
export interface KubeConnection {
  /** Base URL, e.g. `https://10.0.0.1:443` or `http://127.0.0.1:8080`. */
  readonly server: string;
  readonly tls: KubeTlsOptions;
  /** Request headers (authorization); called per request so rotated token files are picked up. */
  headers(): Promise<Record<string, string>>;
}

/** What a watch reports back. */
export interface WatchHandlers {
  /** One line of the stream (one JSON event). */
  onLine(line: string): void;
  /** The stream ended: cleanly (no error) or with an error. Called once, never after `abort()`. */
  onEnd(error?: KubernetesApiError): void;
}

/**
 * A minimal HTTP client for LIST and WATCH requests on node:http(s), with one keep-alive agent per client
 * so that {@link KubeHttpClient.destroy} closes every socket it opened. client-node's own fetch path
 * creates a fresh agent per call and has no inactivity detection, which is why list+watch here is raw.
 */
export class KubeHttpClient {
  readonly #conn: KubeConnection;
  readonly #hooks: KubeRequestHooks;
  readonly #scheduler: SchedulerLike;
  readonly #agent: HttpAgent;
  readonly #https: boolean;
  readonly #host: string;
  readonly #inFlight = new Set<ClientRequest>();
  #destroyed = false;

  constructor(conn: KubeConnection, hooks: KubeRequestHooks, scheduler: SchedulerLike) {
    this.#conn = conn;
    this.#hooks = hooks;
    this.#scheduler = scheduler;
    const url = new URL(conn.server);
    this.#https = url.protocol === 'https:';
    this.#host = url.host;
    this.#agent = this.#https
      ? new HttpsAgent({ keepAlive: true, ...conn.tls })
      : new HttpAgent({ keepAlive: true });
  }

  /**
   * GETs a collection and parses the JSON body. Rejects with {@link KubernetesApiError}, also when `signal`
   * aborts (the request and its socket are then destroyed).
   */
  async list(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    const template = urlTemplate(path);
    const start = this.#scheduler.now();
    let res: IncomingMessage;
    try {
      res = await this.#send(path, query, (req) => {
        if (!signal) return;
        const abort = (): void => {
          req.destroy(new Error(`aborted: ${String(signal.reason ?? 'timeout')}`));
        };
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
        req.once('close', () => signal.removeEventListener('abort', abort));
      });
    } catch (err) {
      this.#result(template, '<error>', start, false);
      throw err;
    }
    const body = await readBody(res).catch((err: unknown) => {
      this.#result(template, '<error>', start, false);
      throw new KubernetesApiError(`reading ${path} failed: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    });
    this.#result(template, String(res.statusCode), start, false);
    if (res.statusCode !== 200) {
      throw new KubernetesApiError(
        `GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`,
        res.statusCode,
      );
    }
    try {
      return JSON.parse(body) as unknown;
    } catch (err) {
      throw new KubernetesApiError(`GET ${path}: invalid JSON`, res.statusCode, { cause: err });
    }
  }

  /** Opens a watch stream; returns a function that aborts it (after which no handler is called). */
  watch(path: string, query: Record<string, string>, handlers: WatchHandlers): () => void {
    const template = urlTemplate(path);
    const start = this.#scheduler.now();
    let ended = false;
    let response: IncomingMessage | undefined;
    let request: ClientRequest | undefined;
    const end = (error?: KubernetesApiError): void => {
      if (ended) return;
      ended = true;
      handlers.onEnd(error);
    };
    this.#send(path, { ...query, watch: 'true' }, (req) => {
      request = req;
    }).then(
      (res) => {
        response = res;
        if (ended) {
          res.destroy();
          return;
        }
        this.#result(template, String(res.statusCode), start, true);
        if (res.statusCode !== 200) {
          readBody(res).then(
            (body) =>
              end(
                new KubernetesApiError(
                  `watch ${path}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`,
                  res.statusCode,
                ),
              ),
            () => end(new KubernetesApiError(`watch ${path}: HTTP ${res.statusCode}`, res.statusCode)),
          );
          return;
        }
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl = buffer.indexOf('\n');
          while (nl >= 0 && !ended) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (line !== '') handlers.onLine(line);
            nl = buffer.indexOf('\n');
          }
        });
        res.on('end', () => end());
        res.on('error', (err) =>
          end(new KubernetesApiError(`watch ${path}: ${err.message}`, undefined, { cause: err })),
        );
        res.on('close', () =>
          end(res.complete ? undefined : new KubernetesApiError(`watch ${path}: connection closed`)),
        );
      },
      (err: KubernetesApiError) => {
        if (ended) return;
        this.#result(template, '<error>', start, true);
        end(err);
      },
    );
    return () => {
      ended = true;
      response?.destroy();
      request?.destroy();
    };
  }

  /** Aborts everything in flight and closes every pooled socket. The client is unusable afterwards. */
  destroy(): void {
    this.#destroyed = true;
    for (const req of this.#inFlight) req.destroy();
    this.#inFlight.clear();
    this.#agent.destroy();
  }

  #result(template: string, code: string, start: number, watch: boolean): void {
    const seconds = (this.#scheduler.now() - start) / 1000;
    safeCall(this.#hooks.onResult?.bind(this.#hooks), 'GET', template, this.#host, code, seconds, watch);
  }

  async #send(
    path: string,
    query: Record<string, string>,
    onRequest?: (req: ClientRequest) => void,
  ): Promise<IncomingMessage> {
    if (this.#destroyed) throw new KubernetesApiError('client destroyed');
    const url = new URL(this.#conn.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    safeCall(this.#hooks.onRequest?.bind(this.#hooks), 'GET', urlTemplate(path), this.#host);
    let headers: Record<string, string>;
    try {
      headers = await this.#conn.headers();
    } catch (err) {
      throw new KubernetesApiError(
        `credentials for ${this.#conn.server}: ${(err as Error).message}`,
        undefined,
        {
          cause: err,
        },
      );
    }
    if (this.#destroyed) throw new KubernetesApiError('client destroyed');
    return new Promise<IncomingMessage>((resolve, reject) => {
      const send = this.#https ? httpsRequest : httpRequest;
      const req = send(url, {
        method: 'GET',
        agent: this.#agent,
        headers: { accept: 'application/json', 'user-agent': 'scrapewire', ...headers },
      });
      this.#inFlight.add(req);
      onRequest?.(req);
      req.on('response', (res) => {
        res.on('close', () => this.#inFlight.delete(req));
        resolve(res);
      });
      req.on('error', (err) => {
        this.#inFlight.delete(req);
        reject(new KubernetesApiError(`GET ${path}: ${err.message}`, undefined, { cause: err }));
      });
      req.end();
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
    // A socket destroyed mid-body (an abort, a server that went away) must not leave the promise pending.
    res.on('close', () => {
      if (!res.complete) reject(new Error('connection closed before the response ended'));
    });
  });
}
