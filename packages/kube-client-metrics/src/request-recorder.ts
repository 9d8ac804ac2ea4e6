import type { KubeClientMetricsLogger } from './logger.js';
import type { KubeClientMetrics } from './kube-client-metrics.js';
import { formatUrlTemplate, urlTemplate } from './url-template.js';

/** How many URL templates one client remembers. */
const TEMPLATE_CACHE_SIZE = 256;

/** The clock the instrumentation reads, in milliseconds. */
export type Clock = () => number;

/** `performance.now`, bound so it can be passed around. */
export const defaultClock: Clock = () => performance.now();

/**
 * Dispatches one client's observations to the current hooks of a {@link KubeClientMetrics}, shielding the
 * request from hooks that throw: the first failure is logged, later ones are swallowed quietly so a broken
 * hook cannot flood the log.
 *
 * @internal
 */
export class RequestRecorder {
  /** `host[:port]` of the API server, client-go's `base.Host`, or `none`. */
  readonly host: string;
  /** Path of the API server URL (`''` when it has none). */
  readonly basePath: string;
  private hookFailed = false;
  /**
   * Templates of recently seen URLs. Informers list the same URLs over and over, and templating costs
   * about a microsecond; the map is cleared when full, so it stays small whatever the URLs are.
   */
  private readonly templates = new Map<string, string>();

  constructor(
    readonly metrics: KubeClientMetrics,
    serverUrl: string | undefined,
    private readonly logger: KubeClientMetricsLogger,
    readonly now: Clock,
  ) {
    let host = 'none';
    let basePath = '';
    if (serverUrl) {
      try {
        const u = new URL(serverUrl);
        host = u.host || 'none';
        basePath = u.pathname;
      } catch {
        // An unparsable server URL fails the request itself; the metrics just say `none`.
      }
    }
    this.host = host;
    this.basePath = basePath;
  }

  result(code: string, method: string): void {
    try {
      this.metrics.requestResult.increment(code, method, this.host);
    } catch (err) {
      this.hookError('requestResult', err);
    }
  }

  latency(method: string, url: string, startedAt: number): void {
    try {
      const seconds = (this.now() - startedAt) / 1000;
      this.metrics.requestLatency.observe(method, this.template(url), seconds);
    } catch (err) {
      this.hookError('requestLatency', err);
    }
  }

  requestSize(method: string, bytes: number): void {
    try {
      this.metrics.requestSize.observe(method, this.host, bytes);
    } catch (err) {
      this.hookError('requestSize', err);
    }
  }

  responseSize(method: string, bytes: number): void {
    try {
      this.metrics.responseSize.observe(method, this.host, bytes);
    } catch (err) {
      this.hookError('responseSize', err);
    }
  }

  /** The client-go URL template of `url`, from the cache when possible. */
  template(url: string): string {
    let t = this.templates.get(url);
    if (t === undefined) {
      t = formatUrlTemplate(urlTemplate(url, this.basePath));
      if (this.templates.size >= TEMPLATE_CACHE_SIZE) this.templates.clear();
      this.templates.set(url, t);
    }
    return t;
  }

  private hookError(hook: string, err: unknown): void {
    if (this.hookFailed) return;
    this.hookFailed = true;
    this.logger.warn(
      { component: 'kube-client-metrics', hook, err },
      'a kube client metrics hook threw; ignoring',
    );
  }
}

/** The status code label of a failed request: the HTTP status if the error carries one, else `<error>`. */
export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object') {
    const status = (err as { statusCode?: unknown }).statusCode ?? (err as { code?: unknown }).code;
    if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 999) {
      return String(status);
    }
  }
  return undefined;
}

/** True when the URL asks for a watch stream (`watch=true` or `watch=1`), which gets no latency. */
export function isWatchUrl(url: string): boolean {
  return /[?&]watch=(true|1)(?:&|#|$)/.test(url);
}
