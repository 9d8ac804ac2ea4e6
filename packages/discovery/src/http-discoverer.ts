import { STATUS_CODES } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { HttpSDConfig } from '@scrapewire/config';
import { InvalidOptionsError, type TargetGroup, noopLogger } from '@scrapewire/model';
import { EMPTY, Observable, asyncScheduler, exhaustMap, timer } from 'rxjs';
import { type Dispatcher, request } from 'undici';
import type { Discoverer, DiscovererContext } from './discoverer.js';
import { DiscoveryError, DiscoveryErrorCode } from './errors.js';
import { GroupTracker } from './group-tracker.js';
import { authHeaders, createDispatcher } from './http-client.js';
import { OAuth2TokenSource } from './oauth2-token.js';
import { noopDiscoveryMetrics } from './metrics.js';
import { parseTargetGroupsJson } from './target-group-parse.js';

/** The label http_sd puts on every group: the URL it was fetched from. */
export const HTTP_SD_URL_LABEL = '__meta_url';

/** The User-Agent of http_sd requests. */
export const HTTP_SD_USER_AGENT = 'scrapewire-http-sd';

// Prometheus accepts exactly application/json, optionally with a UTF-8 charset.
const JSON_CONTENT_TYPE = /^application\/json(;\s*charset=("utf-8"|utf-8))?$/i;

/** The source Prometheus gives the `index`-th group of an http_sd response. */
export function urlSource(url: string, index: number): string {
  return `${url}:${index}`;
}

function validate(config: HttpSDConfig): void {
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch (cause) {
    throw new InvalidOptionsError(`invalid URL ${JSON.stringify(config.url)}`, 'url', { cause });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidOptionsError("URL scheme must be 'http' or 'https'", 'url');
  }
  if (parsed.host === '') throw new InvalidOptionsError('host is missing in URL', 'url');
  if (!(config.refreshIntervalMs > 0)) {
    throw new InvalidOptionsError('refresh interval must be positive', 'refreshIntervalMs');
  }
}

/**
 * HTTP-based service discovery (`http_sd_configs`), as Prometheus's `discovery/http`.
 *
 * GETs `url` at once and then every `refreshIntervalMs` (a tick that comes while a request is still
 * running is skipped), with `Accept: application/json` and `X-Prometheus-Refresh-Interval-Seconds`, and the
 * auth (basic, authorization, OAuth 2.0 client credentials), TLS and proxy of its `<http_config>`. The
 * response must be 200 with `Content-Type: application/json` and hold a JSON list of target groups; group `i` gets source `<url>:<i>` and the label
 * `__meta_url`. A failed refresh (network error, timeout — the refresh interval, as in Prometheus — status,
 * content type, body) is logged and counted, and the last good groups stay. Unsubscribing aborts the
 * request in flight, stops the timer and closes the connection pool.
 *
 * @throws InvalidOptionsError when the URL is not an http(s) URL with a host, or the interval is not positive.
 */
export function httpDiscoverer(config: HttpSDConfig, ctx?: DiscovererContext): Discoverer {
  validate(config);
  const logger = ctx?.logger ?? noopLogger;
  const metrics = ctx?.metrics ?? noopDiscoveryMetrics;
  const scheduler = ctx?.scheduler ?? asyncScheduler;
  const configName = ctx?.configName ?? '';
  const url = config.url;
  // Go's strconv.FormatFloat(seconds, 'f', -1, 64): shortest exact decimal, no exponent for sane values.
  const refreshHeader = String(config.refreshIntervalMs / 1000);

  return new Observable<TargetGroup[]>((subscriber) => {
    const tracker = new GroupTracker();
    let dispatcher: Promise<Dispatcher> | undefined;
    const oauth2 =
      config.httpClient.oauth2 !== undefined ? new OAuth2TokenSource(config.httpClient.oauth2) : undefined;

    const fetchGroups = async (signal: AbortSignal): Promise<TargetGroup[]> => {
      // Built on first use (it reads TLS files); forgotten again if that fails, so the next tick retries.
      dispatcher ??= createDispatcher(config.httpClient).catch((err: unknown) => {
        dispatcher = undefined;
        throw err;
      });
      const headers = {
        ...(await authHeaders(config.httpClient, oauth2, signal)),
        'user-agent': HTTP_SD_USER_AGENT,
        accept: 'application/json',
        'x-prometheus-refresh-interval-seconds': refreshHeader,
      };
      const res = await request(url, { method: 'GET', headers, dispatcher: await dispatcher, signal });
      try {
        // A rejected token may have been revoked early: fetch a new one next time.
        if (res.statusCode === 401) oauth2?.invalidate();
        if (res.statusCode !== 200) {
          throw new Error(
            `server returned HTTP status ${res.statusCode} ${STATUS_CODES[res.statusCode] ?? ''}`,
          );
        }
        const raw = res.headers['content-type'];
        const contentType = (Array.isArray(raw) ? raw[0] : raw) ?? '';
        if (!JSON_CONTENT_TYPE.test(contentType.trim())) {
          throw new Error(`unsupported content type ${JSON.stringify(contentType)}`);
        }
        const parsed = parseTargetGroupsJson(await res.body.text(), url);
        return parsed.map((g, i) => ({
          source: urlSource(url, i),
          targets: g.targets,
          labels: { ...g.labels, [HTTP_SD_URL_LABEL]: url },
        }));
      } finally {
        // Drain whatever is left so the connection can be reused.
        await res.body.dump().catch(() => {});
      }
    };

    const refresh = (): Observable<TargetGroup[]> =>
      new Observable<TargetGroup[]>((o) => {
        const ac = new AbortController();
        const t0 = performance.now();
        const timeout = scheduler.schedule(
          () => ac.abort(new Error(`refresh timed out after ${config.refreshIntervalMs}ms`)),
          config.refreshIntervalMs,
        );
        fetchGroups(ac.signal).then(
          (groups) => {
            timeout.unsubscribe();
            metrics.observeRefreshDuration('http', configName, (performance.now() - t0) / 1000);
            o.next(groups);
            o.complete();
          },
          (cause: unknown) => {
            timeout.unsubscribe();
            if (o.closed) return;
            metrics.observeRefreshDuration('http', configName, (performance.now() - t0) / 1000);
            metrics.incHttpFailures();
            metrics.incRefreshFailures('http', configName);
            const reason = ac.signal.aborted ? ac.signal.reason : cause;
            const err =
              reason instanceof DiscoveryError
                ? reason
                : new DiscoveryError(DiscoveryErrorCode.HttpRefresh, `${url}: ${(reason as Error).message}`, {
                    cause: reason,
                  });
            logger.error({ url, err, code: err.code }, 'unable to refresh http_sd target groups');
            o.complete();
          },
        );
        return () => {
          timeout.unsubscribe();
          ac.abort();
        };
      });

    const sub = timer(0, config.refreshIntervalMs, scheduler)
      .pipe(exhaustMap(() => (subscriber.closed ? EMPTY : refresh())))
      .subscribe((groups) => {
        const changed = tracker.update(groups);
        if (changed !== undefined) subscriber.next(changed);
      });

    return () => {
      sub.unsubscribe();
      const d = dispatcher;
      dispatcher = undefined;
      void d?.then((x) => x.destroy()).catch(() => {});
      void oauth2?.close();
    };
  });
}
