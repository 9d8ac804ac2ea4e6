/**
 * Observes the latency of one request to the Kubernetes API server, the shape of client-go's
 * `metrics.LatencyMetric`.
 *
 * Called once per finished non-streaming request (GET, LIST, CREATE, …), including failed ones, never for
 * watches: client-go's `Watch()` does not record latency either. Implementations must be cheap and must not
 * throw; a throwing hook is caught and logged, never allowed to break the request.
 */
export interface LatencyMetric {
  /**
   * @param verb - The HTTP method, upper-case (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`), as client-go's
   *   `Request.verb`.
   * @param url - The request URL as a template, built the way client-go's `finalURLTemplate()` does:
   *   namespace and name replaced by `{namespace}` and `{name}`, every query value by `{value}`, query keys
   *   sorted, braces percent-encoded (`https://h:6443/api/v1/namespaces/%7Bnamespace%7D/pods`).
   * @param durationSeconds - From the moment the request was handed to the HTTP layer until the whole
   *   response body was read (or the request failed).
   */
  observe(verb: string, url: string, durationSeconds: number): void;
}

/**
 * Counts request outcomes, the shape of client-go's `metrics.ResultMetric`.
 *
 * Called once per request, watches included, when the response headers arrive (or the request fails).
 */
export interface ResultMetric {
  /**
   * @param code - The HTTP status code as a string (`"200"`, `"404"`), or `"<error>"` when no response
   *   arrived (connection refused or reset, TLS failure, abort, timeout).
   * @param method - The HTTP method, upper-case.
   * @param host - The API server's `host[:port]` from the cluster URL, or `"none"` if unknown.
   */
  increment(code: string, method: string, host: string): void;
}

/**
 * Observes request or response body sizes, the shape of client-go's `metrics.SizeMetric`.
 *
 * Recorded for non-streaming requests only, like client-go (request size from the body sent, `0` when
 * there is none; response size from the body bytes read).
 */
export interface SizeMetric {
  /**
   * @param verb - The HTTP method, upper-case.
   * @param host - The API server's `host[:port]`.
   * @param sizeBytes - The body size in bytes.
   */
  observe(verb: string, host: string, sizeBytes: number): void;
}

/**
 * Counts retried attempts, the shape of client-go's `metrics.RetryMetric`: one increment per attempt that
 * was followed by another.
 *
 * `@kubernetes/client-node` never retries a request itself (an informer's re-list or re-watch is a new
 * request, as in client-go), so the instrumentation never calls this; it exists for code that wraps
 * client-node calls in its own retry loop and wants the client-go metric.
 */
export interface RetryMetric {
  /**
   * @param code - The status code of the attempt that is being retried, or `"<error>"`.
   * @param method - The HTTP method, upper-case.
   * @param host - The API server's `host[:port]`.
   */
  incrementRetry(code: string, method: string, host: string): void;
}

/**
 * The hooks `register` accepts, one optional field per hook like client-go's `metrics.RegisterOpts`; an
 * absent field keeps the no-op.
 */
export interface KubeClientMetricsHooks {
  /** client-go `RequestLatency`. */
  readonly requestLatency?: LatencyMetric | undefined;
  /** client-go `RequestResult`. */
  readonly requestResult?: ResultMetric | undefined;
  /** client-go `RequestSize`. */
  readonly requestSize?: SizeMetric | undefined;
  /** client-go `ResponseSize`. */
  readonly responseSize?: SizeMetric | undefined;
  /** client-go `RequestRetry`. */
  readonly requestRetry?: RetryMetric | undefined;
}

const noop = (): void => {};

/** The no-op `LatencyMetric` every hook starts as. */
export const noopLatencyMetric: LatencyMetric = Object.freeze({ observe: noop });
/** The no-op `ResultMetric` every hook starts as. */
export const noopResultMetric: ResultMetric = Object.freeze({ increment: noop });
/** The no-op `SizeMetric` every hook starts as. */
export const noopSizeMetric: SizeMetric = Object.freeze({ observe: noop });
/** The no-op `RetryMetric` every hook starts as. */
export const noopRetryMetric: RetryMetric = Object.freeze({ incrementRetry: noop });

/** The `code` label client-go uses when a request got no HTTP response at all. */
export const ERROR_CODE = '<error>';
