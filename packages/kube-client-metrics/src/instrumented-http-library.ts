import type { HttpLibrary, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { clientNode } from './client-node.js';
import { type KubeClientMetricsLogger, silentLogger } from './logger.js';
import { ERROR_CODE } from './hooks.js';
import type { KubeClientMetrics } from './kube-client-metrics.js';
import { type Clock, defaultClock, isWatchUrl, RequestRecorder } from './request-recorder.js';

/** Options of {@link instrumentHttpLibrary}. */
export interface InstrumentHttpLibraryOptions {
  /** The hooks to report to. */
  readonly metrics: KubeClientMetrics;
  /** The cluster's server URL: its `host[:port]` is the `host` label, its path the base path set aside. */
  readonly serverUrl: string | undefined;
  /** The HTTP library to wrap. @defaultValue client-node's own `IsomorphicFetchHttpLibrary` */
  readonly inner?: HttpLibrary | undefined;
  /** Where a throwing hook is reported (once). @defaultValue `silentLogger` */
  readonly logger?: KubeClientMetricsLogger | undefined;
  /** @internal Test seam: the clock, in milliseconds. @defaultValue `performance.now` */
  readonly now?: Clock | undefined;
}

/**
 * Wraps the HTTP layer of client-node's generated API classes (`CoreV1Api`, …) so every request reports
 * to the hooks the way client-go's `Request.request()` does:
 *
 * - `requestResult` once per request when the response headers arrive, with the status code, or
 *   `<error>` when the request failed without a response;
 * - `requestLatency` once the whole body has been read (or the request failed), with the URL template;
 * - `requestSize` and `responseSize` from the bodies.
 *
 * To measure the body the wrapper reads it eagerly as text and hands the generated code a buffered copy,
 * which is what the generated response processors do anyway (they read every body with `text()`; a
 * `binary()` read of the copy returns the UTF-8 bytes of that text). A request with `watch=true` is
 * passed through untouched apart from its result, because its body is a stream.
 *
 * While the hooks are not registered the wrapper forwards to the inner library without doing anything.
 * Pass the result as `httpApi` to client-node's `createConfiguration`.
 */
export function instrumentHttpLibrary(options: InstrumentHttpLibraryOptions): HttpLibrary {
  const { IsomorphicFetchHttpLibrary, wrapHttpLibrary } = clientNode();
  const inner = options.inner ?? new IsomorphicFetchHttpLibrary();
  const metrics = options.metrics;
  const recorder = new RequestRecorder(
    metrics,
    options.serverUrl,
    options.logger ?? silentLogger,
    options.now ?? defaultClock,
  );
  const instrumented = wrapHttpLibrary({
    send: (ctx) => send(inner, recorder, ctx),
  });
  return {
    send(ctx) {
      // Nothing registered: no clock read, no templating, no body buffering.
      if (!metrics.registered) return inner.send(ctx);
      return instrumented.send(ctx);
    },
  };
}

async function send(
  inner: HttpLibrary,
  recorder: RequestRecorder,
  ctx: RequestContext,
): Promise<ResponseContext> {
  const method = String(ctx.getHttpMethod()).toUpperCase();
  const url = ctx.getUrl();
  const watch = isWatchUrl(url);
  const requestBytes = bodySize(ctx.getBody());
  if (!watch && requestBytes !== undefined) recorder.requestSize(method, requestBytes);
  const startedAt = recorder.now();
  let response: ResponseContext;
  try {
    response = await inner.send(ctx).toPromise();
  } catch (err) {
    recorder.result(ERROR_CODE, method);
    if (!watch) recorder.latency(method, url, startedAt);
    throw err;
  }
  recorder.result(String(response.httpStatusCode), method);
  if (watch) return response;
  let text: string;
  try {
    // Read as text, which is what every generated response processor does. (`binary()` cannot be used:
    // client-node 2.0.1's fetch library implements it with `Response.buffer()`, which undici lacks.)
    text = await response.body.text();
  } catch (err) {
    // The body broke off. client-go still observes the latency; the generated code sees the same error
    // it would have seen reading the body itself.
    recorder.latency(method, url, startedAt);
    const failed = Promise.reject(err);
    failed.catch(() => {});
    return new (clientNode().ResponseContext)(response.httpStatusCode, response.headers, {
      text: () => failed as Promise<never>,
      binary: () => failed as Promise<never>,
    });
  }
  recorder.latency(method, url, startedAt);
  recorder.responseSize(method, Buffer.byteLength(text));
  return new (clientNode().ResponseContext)(response.httpStatusCode, response.headers, {
    text: () => Promise.resolve(text),
    binary: () => Promise.resolve(Buffer.from(text)),
  });
}

/** The byte size of a request body, `0` without one, `undefined` when it cannot be known up front. */
function bodySize(body: unknown): number | undefined {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof URLSearchParams) return Buffer.byteLength(body.toString());
  if (body instanceof Uint8Array) return body.byteLength;
  // form-data's FormData knows its length when every part is in memory.
  const getLengthSync = (body as { getLengthSync?: () => number }).getLengthSync;
  if (typeof getLengthSync === 'function') {
    try {
      return getLengthSync.call(body);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
