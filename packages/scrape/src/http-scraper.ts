import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import type { SecureVersion } from 'node:tls';
import type { HttpClientConfig, ScrapeConfig, TlsConfig } from '@scrapewire/config';
import type { Dispatcher } from 'undici';
import { Agent, EnvHttpProxyAgent, ProxyAgent } from 'undici';
import { acceptHeader, escapingFor } from './accept-header.js';
import { BodyBufferPool } from './body-buffer-pool.js';
import { ScrapeError } from './errors.js';
import { type HttpGetResult, httpGet } from './http-get.js';
import { OAuth2TokenSource, revealSecret } from './oauth2-token.js';

/** What a successful scrape request returns: the (decompressed) body and the response's Content-Type. */
export interface ScrapeResponse {
  readonly body: Uint8Array;
  /** The raw `Content-Type` header, `''` when absent. */
  readonly contentType: string;
  /**
   * Called once, by the scrape loop, when nothing reads `body` any more, so that its memory can serve the
   * next scrape. A response that is never released is simply garbage collected.
   */
  readonly release?: () => void;
}

/** One scrape request. */
export interface ScrapeRequest {
  readonly url: string;
  readonly timeoutMs: number;
  /** Aborted when the scrape times out or the loop is torn down; the request must stop promptly. */
  readonly signal: AbortSignal;
}

/**
 * Performs one scrape request. The promise boundary of the engine: the scrape loop wraps it in an
 * Observable whose teardown aborts `signal`. Failures are {@link ScrapeError}s; an aborted request may
 * reject with anything.
 */
export type ScrapeFn = (req: ScrapeRequest) => Promise<ScrapeResponse>;

/** A job's HTTP client: one connection pool (undici Agent or ProxyAgent) shared by all its targets. */
export interface HttpScraper {
  readonly scrape: ScrapeFn;
  /** Closes the connection pool, destroying open sockets. */
  close(): Promise<void>;
}

/** Options of {@link createHttpScraper} that do not come from the job's configuration. */
export interface HttpScraperOptions {
  /** @defaultValue `'scrapewire'` */
  readonly userAgent?: string;
  /** @internal A dispatcher to use instead of building one from the config (tests, embedders). */
  readonly dispatcher?: Dispatcher;
}

/** Go's http.Client follows at most this many redirects. */
const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
}

function tlsOptions(tls: TlsConfig): TlsOptions {
  const o: TlsOptions = { rejectUnauthorized: !tls.insecureSkipVerify };
  const ca = tls.ca ?? (tls.caFile !== undefined ? readFileSync(tls.caFile, 'utf8') : undefined);
  if (ca !== undefined) o.ca = ca;
  const cert = tls.cert ?? (tls.certFile !== undefined ? readFileSync(tls.certFile, 'utf8') : undefined);
  if (cert !== undefined) o.cert = cert;
  const key =
    tls.key?.reveal() ?? (tls.keyFile !== undefined ? readFileSync(tls.keyFile, 'utf8') : undefined);
  if (key !== undefined) o.key = key;
  if (tls.serverName !== undefined && tls.serverName !== '') o.servername = tls.serverName;
  const versions = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
  if (tls.minVersion !== undefined) o.minVersion = versions[tls.minVersion];
  if (tls.maxVersion !== undefined) o.maxVersion = versions[tls.maxVersion];
  return o;
}

/** Builds the connection pool of a job from its `<http_config>`: TLS, proxy and HTTP/2 settings. */
export function createDispatcher(http: HttpClientConfig): Dispatcher {
  const tls = tlsOptions(http.tlsConfig);
  const headers: Record<string, string> = {};
  for (const [name, secrets] of Object.entries(http.proxyConnectHeader)) {
    headers[name] = secrets.map((s) => s.reveal()).join(', ');
  }
  if (http.proxyFromEnvironment) {
    // HTTP_PROXY / HTTPS_PROXY / NO_PROXY, as Go's http.ProxyFromEnvironment.
    return new EnvHttpProxyAgent({ connect: tls, requestTls: tls, headers });
  }
  if (http.proxyUrl !== undefined && http.proxyUrl !== '') {
    if (http.noProxy !== undefined && http.noProxy !== '') {
      return new EnvHttpProxyAgent({
        httpProxy: http.proxyUrl,
        httpsProxy: http.proxyUrl,
        noProxy: http.noProxy,
        connect: tls,
        requestTls: tls,
        headers,
      });
    }
    return new ProxyAgent({ uri: http.proxyUrl, requestTls: tls, headers });
  }
  // One connection per target: a target's scrapes never overlap, as in Prometheus. With `connections: 1`
  // undici gives each origin a bare Client instead of a Pool (whose request queue alone preallocates 16 KiB),
  // which at hundreds of targets is several MiB less.
  return new Agent({ connect: tls, allowH2: http.enableHttp2, connections: 1 });
}

async function authHeaders(
  http: HttpClientConfig,
  oauth2: OAuth2TokenSource | undefined,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const h: Record<string, string> = {};
  for (const [name, v] of Object.entries(http.httpHeaders)) {
    const values = [...v.values, ...v.secrets.map((s) => s.reveal())];
    for (const f of v.files) values.push((await readFile(f, 'utf8')).trim());
    if (values.length > 0) h[name.toLowerCase()] = values.join(', ');
  }
  if (http.basicAuth !== undefined) {
    const b = http.basicAuth;
    const user =
      b.usernameFile !== undefined ? (await readFile(b.usernameFile, 'utf8')).trim() : (b.username ?? '');
    const pass = await revealSecret(b.password);
    h.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  } else if (http.authorization !== undefined) {
    const cred = await revealSecret(http.authorization.credentials);
    h.authorization = `${http.authorization.type} ${cred}`;
  } else if (oauth2 !== undefined) {
    h.authorization = await oauth2.authorization(signal);
  }
  return h;
}

/** Wraps a failure of the transport in the `Get "<url>": <reason>` form Go's HTTP client uses. */
function transportError(url: string, err: unknown): ScrapeError {
  if (err instanceof ScrapeError) return err;
  const e = err as { message?: string; code?: string; cause?: { message?: string } };
  let reason = e.message ?? String(err);
  if (e.cause?.message !== undefined && !reason.includes(e.cause.message)) reason += `: ${e.cause.message}`;
  if (e.code !== undefined && !reason.includes(e.code)) reason = `${reason} (${e.code})`;
  return new ScrapeError('SW_ERR_SCRAPE_TRANSPORT', `Get "${url}": ${reason}`, url, { cause: err });
}

/**
 * Creates the HTTP client of one scrape job, on an undici connection pool shared by the job's targets.
 * Each request sends Prometheus's headers (`Accept` from `scrape_protocols`, `Accept-Encoding`,
 * `X-Prometheus-Scrape-Timeout-Seconds`, `User-Agent`, auth), follows up to 10 redirects when
 * `follow_redirects`, accepts only status 200, and enforces `body_size_limit` on the decompressed body as it
 * streams in.
 *
 * @example
 * const client = createHttpScraper(jobConfig);
 * const ac = new AbortController();
 * const { body, contentType } = await client.scrape({ url: 'http://127.0.0.1:9100/metrics', timeoutMs: 10_000, signal: ac.signal });
 * await client.close();
 */
export function createHttpScraper(config: ScrapeConfig, options: HttpScraperOptions = {}): HttpScraper {
  const http = config.httpClient;
  const dispatcher = options.dispatcher ?? createDispatcher(http);
  const owned = options.dispatcher === undefined;
  // The token endpoint gets its own pool: it has its own TLS and proxy settings.
  const tokenDispatcher = http.oauth2
    ? createDispatcher({ ...http, proxyUrl: http.oauth2.proxyUrl ?? '', tlsConfig: http.oauth2.tlsConfig })
    : undefined;
  const oauth2 =
    http.oauth2 && tokenDispatcher ? new OAuth2TokenSource(http.oauth2, tokenDispatcher) : undefined;
  const accept = acceptHeader(
    config.scrapeProtocols,
    escapingFor(config.metricNameValidationScheme, config.metricNameEscapingScheme),
  );
  const userAgent = options.userAgent ?? 'scrapewire';
  const acceptEncoding = config.enableCompression ? 'gzip' : 'identity';
  const bodies = new BodyBufferPool();

  const scrape: ScrapeFn = async ({ url, timeoutMs, signal }) => {
    let current = url;
    let auth: Record<string, string>;
    try {
      auth = await authHeaders(http, oauth2, signal);
    } catch (e) {
      throw transportError(url, e);
    }
    // The URL of the current hop, parsed once: it picks the credentials and is what undici dispatches to.
    let target = new URL(url);
    const originHost = target.host;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {
        ...(target.host === originHost ? auth : {}),
        accept,
        'accept-encoding': acceptEncoding,
        'user-agent': userAgent,
        'x-prometheus-scrape-timeout-seconds': String(timeoutMs / 1000),
      };
      let res: HttpGetResult;
      try {
        res = await httpGet(dispatcher, target, headers, signal, config.bodySizeLimitBytes, bodies, url);
      } catch (e) {
        throw transportError(current, e);
      }
      const location = res.headers.location;
      if (http.followRedirects && REDIRECT_STATUSES.has(res.statusCode) && typeof location === 'string') {
        if (hop + 1 > MAX_REDIRECTS) {
          throw new ScrapeError(
            'SW_ERR_SCRAPE_TRANSPORT',
            `Get "${current}": stopped after ${MAX_REDIRECTS} redirects`,
            url,
          );
        }
        target = new URL(location, current);
        current = target.toString();
        continue;
      }
      const body = res.body;
      if (res.statusCode !== 200 || body === undefined) {
        const text = STATUS_CODES[res.statusCode] ?? '';
        throw new ScrapeError(
          'SW_ERR_SCRAPE_HTTP_STATUS',
          `server returned HTTP status ${res.statusCode}${text ? ` ${text}` : ''}`,
          url,
        );
      }
      const ct = res.headers['content-type'];
      const contentType = Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? '');
      return { body: body.view(), contentType, release: () => body.release() };
    }
  };

  return {
    scrape,
    async close() {
      if (owned) await dispatcher.destroy();
      if (tokenDispatcher) await tokenDispatcher.destroy();
    },
  };
}
