import { readFileSync } from 'node:fs';
import {
  type HttpClientConfig,
  REMOTE_WRITE_RESERVED_HEADERS,
  type SecretSource,
  type TlsConfig,
} from '@scrapewire/config';
import { InvalidOptionsError } from '@scrapewire/model';
import { Agent, type Dispatcher, interceptors, ProxyAgent, request } from 'undici';
import pkg from '../../package.json' with { type: 'json' };

/** The result of one send attempt, classified by Prometheus's retry rules (reference §6.4). */
export type SendResult =
  | { readonly kind: 'ok' }
  /** Recoverable: 5xx, a retried 429, a network error or a timeout. */
  | { readonly kind: 'retry'; readonly message: string; readonly retryAfterMs?: number }
  /** Not recoverable: any other non-2xx answer. The batch is dropped and counted as failed. */
  | { readonly kind: 'fail'; readonly message: string; readonly status?: number };

/**
 * Sends one compressed remote write body. The queue manager owns batching and retries; a client only
 * does one attempt. `attempt` is 0 for the first try (Prometheus 3 sends `Retry-Attempt` on retries).
 * Implement it to send somewhere other than HTTP, or in tests.
 */
export interface RemoteWriteClient {
  send(body: Uint8Array, attempt: number, signal: AbortSignal): Promise<SendResult>;
  close(): Promise<void>;
}

/** Options of {@link createHttpRemoteWriteClient}. */
export interface HttpRemoteWriteClientOptions {
  readonly url: string;
  readonly remoteTimeoutMs: number;
  /** `remote_write.headers`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly httpClient: HttpClientConfig;
  readonly retryOnHttp429: boolean;
  /** @defaultValue `scrapewire/<version>` */
  readonly userAgent?: string;
  /** Protobuf message kind: only remote write 1.0 is implemented. */
  readonly protobufMessage?: 'prometheus.WriteRequest' | 'io.prometheus.write.v2.Request';
}

/** The User-Agent scrapewire sends. */
export const USER_AGENT = `scrapewire/${pkg.version}`;

function readSecret(src: SecretSource): string {
  return 'inline' in src ? src.inline.reveal() : readFileSync(src.file, 'utf8').trim();
}

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;

function tlsConnectOptions(tls: TlsConfig): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const ca = tls.ca ?? (tls.caFile ? readFileSync(tls.caFile, 'utf8') : undefined);
  const cert = tls.cert ?? (tls.certFile ? readFileSync(tls.certFile, 'utf8') : undefined);
  const key = tls.key?.reveal() ?? (tls.keyFile ? readFileSync(tls.keyFile, 'utf8') : undefined);
  if (ca !== undefined) o.ca = ca;
  if (cert !== undefined) o.cert = cert;
  if (key !== undefined) o.key = key;
  if (tls.serverName) o.servername = tls.serverName;
  if (tls.insecureSkipVerify) o.rejectUnauthorized = false;
  if (tls.minVersion) o.minVersion = TLS_VERSIONS[tls.minVersion];
  if (tls.maxVersion) o.maxVersion = TLS_VERSIONS[tls.maxVersion];
  return o;
}

/** Parses `Retry-After` (delay seconds or an HTTP date) into milliseconds; undefined when absent or bad. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * A {@link RemoteWriteClient} over undici: POSTs to the configured URL with the remote write 1.0
 * headers, the configured auth and TLS, and a per-attempt `remote_timeout`. Credentials and header
 * files are read at each send, so rotated files are picked up. `oauth2` is not supported yet and is
 * rejected with {@link InvalidOptionsError}.
 */
export function createHttpRemoteWriteClient(options: HttpRemoteWriteClientOptions): RemoteWriteClient {
  const http = options.httpClient;
  if (http.oauth2)
    throw new InvalidOptionsError('oauth2 is not supported for remote_write yet', 'httpClient.oauth2');
  if (options.protobufMessage && options.protobufMessage !== 'prometheus.WriteRequest') {
    throw new InvalidOptionsError(
      'only remote write 1.0 (prometheus.WriteRequest) is supported',
      'protobufMessage',
    );
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (err) {
    throw new InvalidOptionsError(`invalid remote write url ${JSON.stringify(options.url)}`, 'url', {
      cause: err,
    });
  }
  const connect = tlsConnectOptions(http.tlsConfig);
  const agent: Dispatcher = http.proxyUrl
    ? new ProxyAgent({ uri: http.proxyUrl, requestTls: connect })
    : new Agent({ connect, allowH2: http.enableHttp2 });
  // `follow_redirects` (default true), as Go's client does: up to 10 hops; 307/308 resend the body.
  const dispatcher = http.followRedirects
    ? agent.compose(interceptors.redirect({ maxRedirections: 10 }))
    : agent;
  const userAgent = options.userAgent ?? USER_AGENT;

  function buildHeaders(attempt: number): Record<string, string> {
    const h: Record<string, string> = {};
    for (const [name, spec] of Object.entries(http.httpHeaders)) {
      const values = [
        ...spec.values,
        ...spec.secrets.map((s) => s.reveal()),
        ...spec.files.map((f) => readFileSync(f, 'utf8').trim()),
      ];
      if (values.length > 0 && !REMOTE_WRITE_RESERVED_HEADERS.has(name.toLowerCase()))
        h[name] = values.join(', ');
    }
    for (const [name, value] of Object.entries(options.headers)) {
      if (!REMOTE_WRITE_RESERVED_HEADERS.has(name.toLowerCase())) h[name] = value;
    }
    if (http.basicAuth) {
      const user =
        http.basicAuth.username ??
        (http.basicAuth.usernameFile ? readFileSync(http.basicAuth.usernameFile, 'utf8').trim() : '');
      const pass = http.basicAuth.password ? readSecret(http.basicAuth.password) : '';
      h.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    } else if (http.authorization) {
      const cred = http.authorization.credentials ? readSecret(http.authorization.credentials) : '';
      h.authorization = `${http.authorization.type} ${cred}`;
    }
    h['content-encoding'] = 'snappy';
    h['content-type'] = 'application/x-protobuf';
    h['user-agent'] = userAgent;
    h['x-prometheus-remote-write-version'] = '0.1.0';
    if (attempt > 0) h['retry-attempt'] = String(attempt);
    return h;
  }

  return {
    async send(body: Uint8Array, attempt: number, signal: AbortSignal): Promise<SendResult> {
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(), options.remoteTimeoutMs);
      const onAbort = () => timeout.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const res = await request(url, {
          method: 'POST',
          headers: buildHeaders(attempt),
          body,
          dispatcher,
          signal: timeout.signal,
          headersTimeout: options.remoteTimeoutMs,
          bodyTimeout: options.remoteTimeoutMs,
        });
        const status = res.statusCode;
        if (status >= 200 && status < 300) {
          await res.body.dump();
          return { kind: 'ok' };
        }
        // Only the first KiB of an error body is worth logging (as Prometheus does).
        const text = (await res.body.text()).slice(0, 1024);
        const message = `server returned HTTP status ${status}: ${text.trim()}`;
        const retryAfterMs = parseRetryAfter(res.headers['retry-after'], Date.now());
        if (status >= 500 || (status === 429 && options.retryOnHttp429)) {
          return retryAfterMs !== undefined
            ? { kind: 'retry', message, retryAfterMs }
            : { kind: 'retry', message };
        }
        return { kind: 'fail', message, status };
      } catch (err) {
        const reason =
          timeout.signal.aborted && !signal.aborted
            ? `timed out after ${options.remoteTimeoutMs}ms`
            : String((err as Error)?.message ?? err);
        return { kind: 'retry', message: `send failed: ${reason}` };
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close(): Promise<void> {
      await agent.destroy();
    },
  };
}
