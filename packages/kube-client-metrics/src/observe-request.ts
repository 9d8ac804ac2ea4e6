import { ERROR_CODE } from './hooks.js';
import type { KubeClientMetrics } from './kube-client-metrics.js';
import { isWatchUrl } from './request-recorder.js';
import { formatUrlTemplate, urlTemplate } from './url-template.js';

/** One finished request to the API server, as {@link observeRequest} takes it. */
export interface RequestObservation {
  /** The HTTP method (any case; reported upper-case). */
  readonly method: string;
  /** The absolute URL requested, query included (`watch=true` marks a watch). */
  readonly url: string;
  /** Path of the cluster's server URL, set aside while templating. @defaultValue `''` */
  readonly basePath?: string | undefined;
  /**
   * The HTTP status, or `undefined` when no response arrived (reported as `<error>`). For a watch, the
   * status the stream opened with.
   */
  readonly status: number | undefined;
  /** Seconds until the whole body was read, or the request failed. Ignored for watches. */
  readonly durationSeconds?: number | undefined;
  /** Request body size in bytes. Ignored for watches. */
  readonly requestBytes?: number | undefined;
  /** Response body size in bytes. Ignored for watches. */
  readonly responseBytes?: number | undefined;
}

/**
 * Reports one request made by an HTTP client other than client-node's (for example scrapewire's own
 * Kubernetes discovery, which speaks undici directly) to the hooks of `metrics`, with the same rules as
 * the client-node instrumentation: a result for every request, latency and sizes for non-watch requests
 * only, the URL templated the client-go way, `host` from the URL. Does nothing while `metrics` is not
 * registered. A hook that throws is ignored.
 */
export function observeRequest(metrics: KubeClientMetrics, o: RequestObservation): void {
  if (!metrics.registered) return;
  const method = o.method.toUpperCase();
  const parts = urlTemplate(o.url, o.basePath ?? '');
  const schemeEnd = parts.origin.indexOf('://');
  const host = (schemeEnd < 0 ? parts.origin : parts.origin.slice(schemeEnd + 3)) || 'none';
  const watch = isWatchUrl(o.url);
  const code = o.status === undefined ? ERROR_CODE : String(o.status);
  safe(() => metrics.requestResult.increment(code, method, host));
  if (watch) return;
  if (o.durationSeconds !== undefined) {
    const seconds = o.durationSeconds;
    safe(() => metrics.requestLatency.observe(method, formatUrlTemplate(parts), seconds));
  }
  if (o.requestBytes !== undefined) {
    const bytes = o.requestBytes;
    safe(() => metrics.requestSize.observe(method, host, bytes));
  }
  if (o.responseBytes !== undefined) {
    const bytes = o.responseBytes;
    safe(() => metrics.responseSize.observe(method, host, bytes));
  }
}

function safe(f: () => void): void {
  try {
    f();
  } catch {
    // A metrics hook must never break the caller's request handling.
  }
}
