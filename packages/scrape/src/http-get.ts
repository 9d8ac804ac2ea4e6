import type { IncomingHttpHeaders } from 'node:http';
import { gunzip } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { type BodyBufferPool, BodyCollector } from './body-buffer-pool.js';
import { ScrapeError } from './errors.js';

/** A received body: its bytes until released. */
export interface ReceivedBody {
  view(): Uint8Array;
  /** Hands pooled memory back; the view must not be used any more. */
  release(): void;
}

/** What one GET returned. `body` is set for a 200 only, and must be released by the caller. */
export interface HttpGetResult {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: ReceivedBody | undefined;
}

/** Aborts a response whose body is not wanted (not a 200); never reaches the caller. */
class BodyNotWanted extends Error {}

/**
 * One GET through undici's dispatch API, the body copied into a pooled buffer as it arrives.
 *
 * Why not `undici.request()` and its body stream: at ~200 scrapes a second the stream, its async iterator
 * and a promise per chunk were a measurable share of the agent's CPU and garbage, and the chunks had to be
 * joined afterwards. Here each chunk is copied into the pooled buffer while undici's parser hands it over
 * (docs/benchmarks.d/agent.md has the figures, and why the socket chunks themselves still wait for a
 * major GC inside undici). A gzip body is collected compressed and inflated in one call off the main
 * thread, with its output capped by `limit`.
 *
 * `limit` is `body_size_limit` in bytes (0: none): a body of `limit` bytes or more, before or after
 * decompression, fails the scrape, as in Prometheus.
 */
export function httpGet(
  dispatcher: Dispatcher,
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
  limit: number,
  pool: BodyBufferPool,
  scrapeUrl: string,
): Promise<HttpGetResult> {
  return new Promise<HttpGetResult>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    let statusCode = 0;
    let resHeaders: IncomingHttpHeaders = {};
    let gzip = false;
    const body = new BodyCollector(pool);
    const onAbort = (): void => controller?.abort(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (e: unknown): void => {
      body.release();
      if (settle()) reject(e);
    };
    const limitError = () => new ScrapeError('SW_ERR_BODY_SIZE_LIMIT', 'body size limit exceeded', scrapeUrl);

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (signal.aborted) c.abort(signal.reason as Error);
      },
      onResponseStart(c, status, h) {
        if (status < 200) return; // 1xx: the real response follows
        statusCode = status;
        resHeaders = h;
        if (status !== 200) {
          // Only the status and headers matter (an error, or a redirect to follow): drop the connection
          // rather than read a body of any size.
          body.release();
          if (settle()) resolve({ statusCode, headers: resHeaders, body: undefined });
          c.abort(new BodyNotWanted());
          return;
        }
        gzip = h['content-encoding'] === 'gzip';
      },
      onResponseData(c, chunk) {
        if (settled) return;
        if (limit > 0 && body.length + chunk.length >= limit) {
          c.abort(limitError());
          return;
        }
        body.push(chunk);
      },
      onResponseEnd() {
        if (settled) return;
        if (!gzip) {
          if (settle()) resolve({ statusCode, headers: resHeaders, body });
          return;
        }
        // The output cap makes a gzip bomb fail after `limit` bytes instead of filling memory.
        const opts = limit > 0 ? { maxOutputLength: limit - 1 } : {};
        gunzip(body.view(), opts, (err, out) => {
          body.release();
          if (err) {
            if (settled) return;
            fail((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? limitError() : err);
            return;
          }
          // zlib's own output buffer: nothing to hand back.
          const inflated: ReceivedBody = { view: () => out, release: () => {} };
          if (settle()) resolve({ statusCode, headers: resHeaders, body: inflated });
        });
      },
      onResponseError(_c, err) {
        if (err instanceof BodyNotWanted) return;
        fail(err);
      },
    };
    try {
      dispatcher.dispatch(
        { origin: url.origin, path: `${url.pathname}${url.search}`, method: 'GET', headers },
        handler,
      );
    } catch (e) {
      fail(e);
    }
  });
}
