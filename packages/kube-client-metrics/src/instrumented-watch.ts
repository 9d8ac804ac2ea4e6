import type { KubeConfig, Watch } from '@kubernetes/client-node';
import { clientNode } from './client-node.js';
import { type KubeClientMetricsLogger, silentLogger } from './logger.js';
import { ERROR_CODE } from './hooks.js';
import type { KubeClientMetrics } from './kube-client-metrics.js';
import { type Clock, defaultClock, errorCode, RequestRecorder } from './request-recorder.js';

// Taken from `Watch` itself so the override follows whichever client-node major is installed.
type WatchArgs = Parameters<Watch['watch']>;

/** Options of {@link InstrumentedWatch}. */
export interface InstrumentedWatchOptions {
  /** The hooks to report to. */
  readonly metrics: KubeClientMetrics;
  /** Where a throwing hook is reported (once). @defaultValue `silentLogger` */
  readonly logger?: KubeClientMetricsLogger | undefined;
  /** @internal Test seam: the clock, in milliseconds. */
  readonly now?: Clock | undefined;
}

/**
 * client-node's `Watch`, reporting each watch request to `requestResult` the way client-go's
 * `Request.Watch()` does: once, when the server answered (`200`, or the error status), or `<error>` when
 * no response arrived. Like client-go it records no latency or sizes for watches: the request lasts as
 * long as the watch.
 *
 * It relies only on `Watch`'s public contract (the promise settles once the response headers are in;
 * a non-200 answer reaches `done` as an error carrying `statusCode`), which 1.x and 2.x share, so it can
 * be passed wherever a `Watch` is expected, e.g. to `new ListWatch(path, watch, listFn)`. It wraps a
 * `Watch` rather than extending it, so that importing this package does not load client-node (see
 * `client-node.ts`); it has `Watch`'s public shape (`config` and `watch`).
 */
export class InstrumentedWatch implements Watch {
  readonly config: KubeConfig;
  private readonly inner: Watch;
  private readonly metrics: KubeClientMetrics;
  private readonly logger: KubeClientMetricsLogger;
  private readonly now: Clock;

  constructor(config: KubeConfig, options: InstrumentedWatchOptions) {
    this.config = config;
    this.inner = new (clientNode().Watch)(config);
    this.metrics = options.metrics;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? defaultClock;
  }

  async watch(
    path: WatchArgs[0],
    queryParams: WatchArgs[1],
    callback: WatchArgs[2],
    done: WatchArgs[3],
  ): Promise<AbortController> {
    if (!this.metrics.registered) return this.inner.watch(path, queryParams, callback, done);
    const recorder = new RequestRecorder(
      this.metrics,
      this.config.getCurrentCluster()?.server,
      this.logger,
      this.now,
    );
    let counted = false;
    const count = (code: string): void => {
      if (counted) return;
      counted = true;
      recorder.result(code, 'GET');
    };
    // `done` may run before the promise settles (a non-200 answer, a refused connection) or long after
    // (the stream ended). Only the first of "done" and "settled" decides the code.
    const countingDone = (err: unknown): void => {
      count(err ? (errorCode(err) ?? ERROR_CODE) : '200');
      done(err);
    };
    try {
      const controller = await this.inner.watch(path, queryParams, callback, countingDone);
      count('200');
      return controller;
    } catch (err) {
      count(errorCode(err) ?? ERROR_CODE);
      throw err;
    }
  }
}
