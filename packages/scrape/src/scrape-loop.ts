import type { ScrapeConfig, ScrapeProtocol } from '@scrapewire/config';
import { formatDuration, type Logger, noopLogger } from '@scrapewire/model';
import type { Appendable, Appender } from '@scrapewire/storage';
import {
  asyncScheduler,
  catchError,
  defer,
  EMPTY,
  exhaustMap,
  from,
  NEVER,
  Observable,
  type SchedulerLike,
  switchMap,
  takeUntil,
  TimeoutError,
  throwError,
  timeout,
  timer,
} from 'rxjs';
import { type AppendResult, appendAllStale, appendScrape, appendStaleMarkers } from './append-scrape.js';
import { ScrapeError } from './errors.js';
import type { ScrapeFn, ScrapeResponse } from './http-scraper.js';
import { noopScrapeMetrics, type ScrapeMetrics } from './metrics.js';
import { scrapeOffsetMs } from './offset.js';
import type { RelabelFn } from './relabel-adapter.js';
import { appendReport } from './report-series.js';
import { ScrapeCache } from './scrape-cache.js';
import type { ScrapeReport } from './scrape-report.js';
import { attachTargetLabels } from './sample-labels.js';
import type { ScrapeTarget } from './target.js';
import type { ExpositionParser } from './textparse/parser.js';

/**
 * Picks a parser for a response body by its Content-Type (with the job's fallback protocol). Throws when
 * the Content-Type is unusable and there is no fallback; the loop reports that as `SW_ERR_CONTENT_TYPE`.
 */
export type ParserFactory = (
  body: Uint8Array,
  contentType: string,
  fallback: ScrapeProtocol | undefined,
) => ExpositionParser;

/** Options of {@link scrapeLoop}. */
export interface ScrapeLoopOptions {
  readonly target: ScrapeTarget;
  /** The job's configuration (limits, honor_labels, …); interval and timeout come from the target. */
  readonly config: ScrapeConfig;
  readonly appendable: Appendable;
  /** Performs the HTTP request (see `createHttpScraper`). */
  readonly scrape: ScrapeFn;
  readonly parserFactory: ParserFactory;
  /** Compiled `metric_relabel_configs`. */
  readonly metricRelabel: RelabelFn;
  /** Completes the loop gracefully: no new scrape starts, an in-flight scrape finishes. */
  readonly stop$?: Observable<unknown>;
  /** A cache to continue with (after a config reload with compatible settings). */
  readonly cache?: ScrapeCache;
  /** Read before each scrape; when set, the scrape is skipped and fails with this error (target_limit). */
  readonly forcedError?: () => ScrapeError | undefined;
  /** @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
  readonly metrics?: ScrapeMetrics;
  readonly logger?: Logger;
  /** Per-server seed for the scrape phase. @defaultValue `0n` */
  readonly offsetSeed?: bigint;
  /** @internal Benchmarks only: bypass the scrape cache's label work on hits. */
  readonly bypassCache?: boolean;
}

/**
 * Scrapes one target forever, as a cold Observable emitting a {@link ScrapeReport} per scrape.
 *
 * The first scrape happens after the target's offset ({@link scrapeOffsetMs}), then one every interval.
 * Ticks that arrive while a scrape is running are dropped (`exhaustMap`), so scrapes never overlap; each
 * is bounded by the target's timeout. Each scrape is one appender transaction: samples, stale markers for
 * vanished series and the report series, committed together; a failure rolls the samples back and commits
 * stale markers and `up = 0` instead.
 *
 * `stop$` ends the loop gracefully (the in-flight scrape completes); unsubscribing is a hard stop that
 * aborts the in-flight request. End-of-run staleness is not written here (see {@link endOfRunStaleness}).
 *
 * ```
 * ticks:   --o-------o-------o-------o--
 * scrapes: --[===]---[=======]o(dropped)[==]
 * reports: ------r-----------r------------r
 * ```
 */
export function scrapeLoop(o: ScrapeLoopOptions): Observable<ScrapeReport> {
  return defer(() => {
    const sched = o.scheduler ?? asyncScheduler;
    const metrics = o.metrics ?? noopScrapeMetrics;
    const logger = o.logger ?? noopLogger;
    const target = o.target;
    const cfg = o.config;
    const interval = target.intervalMs;
    const timeoutMs = target.timeoutMs;
    const intervalText = formatDuration(interval);
    const cache = o.cache ?? new ScrapeCache();
    const offset = scrapeOffsetMs(target.hash, o.offsetSeed ?? 0n, interval, sched.now());
    const firstTick = sched.now() + offset;
    // Prometheus aligns scrape timestamps to the ideal schedule when within a small tolerance, which
    // makes storage compress timestamps better.
    const tolerance = Math.min(interval / 100, 2);
    let lastStart = -1;

    const mutate = (scraped: Parameters<RelabelFn>[0]) =>
      o.metricRelabel(attachTargetLabels(scraped, target.publicLabels, cfg.honorLabels));
    const appendOpts = {
      cache,
      mutate,
      honorTimestamps: cfg.honorTimestamps,
      trackTimestampsStaleness: cfg.trackTimestampsStaleness,
      sampleLimit: cfg.sampleLimit,
      labelLimit: cfg.labelLimit,
      labelNameLengthLimit: cfg.labelNameLengthLimit,
      labelValueLengthLimit: cfg.labelValueLengthLimit,
      validationScheme: cfg.metricNameValidationScheme,
      metrics,
      url: target.url,
      bypassCache: o.bypassCache === true,
    };

    /** The report series of one scrape (`up`, `scrape_*`), the extra ones when configured. */
    const reportValues = (
      up: 0 | 1,
      durationMs: number,
      r: { total: number; added: number; seriesAdded: number },
      bodySizeBytes: number,
    ) => ({
      up,
      durationSeconds: durationMs / 1000,
      samplesScraped: r.total,
      samplesPostMetricRelabeling: r.added,
      seriesAdded: r.seriesAdded,
      ...(cfg.extraScrapeMetrics
        ? { extra: { timeoutSeconds: timeoutMs / 1000, sampleLimit: cfg.sampleLimit, bodySizeBytes } }
        : {}),
    });

    /** Commits a scrape's transaction; a failed commit is logged, never thrown into the loop. */
    const commit = async (app: Appender): Promise<void> => {
      try {
        await app.commit();
      } catch (e) {
        logger.error({ err: e, target: target.url }, 'Scrape commit failed');
        // Metadata reported in this transaction is lost with it: report it again next scrape.
        cache.metadataNotStored();
      }
    };

    const finish = async (
      ts: number,
      start: number,
      r: {
        total: number;
        added: number;
        seriesAdded: number;
        bodySize: number;
        error: ScrapeError | undefined;
      },
      success: boolean,
    ): Promise<ScrapeReport> => {
      const durationMs = sched.now() - start;
      const app = o.appendable.appender();
      // Series seen last time and not now get stale markers (after a failure: all of them).
      appendStaleMarkers(cache, app, ts);
      appendReport(app, cache, target, ts, reportValues(r.error ? 0 : 1, durationMs, r, r.bodySize));
      await commit(app);
      if (cache.iterDone(success) && !success) metrics.incCacheFlushForced();
      return report(ts, durationMs, r);
    };

    const report = (
      ts: number,
      durationMs: number,
      r: {
        total: number;
        added: number;
        seriesAdded: number;
        bodySize: number;
        error: ScrapeError | undefined;
      },
    ): ScrapeReport => {
      target.health = r.error ? 'down' : 'up';
      target.lastError = r.error;
      target.lastScrapeMs = ts;
      target.lastScrapeDurationMs = durationMs;
      return {
        target,
        timestampMs: ts,
        durationMs,
        samplesScraped: r.total,
        samplesPostMetricRelabeling: r.added,
        seriesAdded: r.seriesAdded,
        bodySizeBytes: r.bodySize,
        up: r.error === undefined,
        error: r.error,
      };
    };

    const onResponse = (resp: ScrapeResponse, ts: number, start: number): Promise<ScrapeReport> => {
      try {
        return onBody(resp, ts, start);
      } finally {
        // Everything that reads the body (parser, append) ran synchronously above: its memory can go back.
        resp.release?.();
      }
    };

    const onBody = (resp: ScrapeResponse, ts: number, start: number): Promise<ScrapeReport> => {
      const bodySize = resp.body.length;
      if (bodySize === 0) {
        // An empty 200 is a successful scrape of nothing: up=1 and every previous series goes stale.
        return finish(ts, start, { total: 0, added: 0, seriesAdded: 0, bodySize, error: undefined }, false);
      }
      let parser: ExpositionParser;
      try {
        parser = o.parserFactory(resp.body, resp.contentType, cfg.fallbackScrapeProtocol);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        const err = new ScrapeError('SW_ERR_CONTENT_TYPE', msg, target.url, { cause: e });
        return finish(ts, start, { total: 0, added: 0, seriesAdded: 0, bodySize: 0, error: err }, false);
      }
      const app = o.appendable.appender();
      const r = appendScrape(parser, app, ts, appendOpts);
      return afterAppend(app, r, ts, start, bodySize);
    };

    /** The part of a successful request after its body has been parsed and appended: the body is not read. */
    const afterAppend = async (
      app: Appender,
      r: AppendResult,
      ts: number,
      start: number,
      bodySize: number,
    ): Promise<ScrapeReport> => {
      if (r.error) {
        await app.rollback().catch((e: unknown) => logger.error({ err: e }, 'Scrape rollback failed'));
        cache.metadataNotStored();
        return finish(ts, start, { ...r, bodySize: 0 }, false);
      }
      appendStaleMarkers(cache, app, ts);
      const durationMs = sched.now() - start;
      appendReport(app, cache, target, ts, reportValues(1, durationMs, r, bodySize));
      await commit(app);
      cache.iterDone(true);
      return report(ts, durationMs, { ...r, bodySize });
    };

    const onFailure = (e: unknown, ts: number, start: number): Promise<ScrapeReport> => {
      let err: ScrapeError;
      if (e instanceof ScrapeError) err = e;
      else if (e instanceof TimeoutError) {
        err = new ScrapeError(
          'SW_ERR_SCRAPE_TIMEOUT',
          `Get "${target.url}": context deadline exceeded`,
          target.url,
        );
      } else {
        const msg = e instanceof Error ? e.message : String(e);
        err = new ScrapeError('SW_ERR_SCRAPE_TRANSPORT', `Get "${target.url}": ${msg}`, target.url, {
          cause: e,
        });
      }
      let bodySize = 0;
      if (err.code === 'SW_ERR_BODY_SIZE_LIMIT') {
        metrics.incExceededBodySizeLimit();
        bodySize = -1;
      }
      return finish(ts, start, { total: 0, added: 0, seriesAdded: 0, bodySize, error: err }, false);
    };

    const scrapeOnce = (tick: number): Observable<ScrapeReport> =>
      defer(() => {
        const start = sched.now();
        const ideal = firstTick + tick * interval;
        const ts = Math.abs(start - ideal) <= tolerance ? ideal : start;
        if (lastStart >= 0) metrics.observeIntervalLength(intervalText, (start - lastStart) / 1000);
        lastStart = start;
        const forced = o.forcedError?.();
        if (forced) return from(onFailure(forced, ts, start));
        const request$ = new Observable<ScrapeResponse>((subscriber) => {
          const ac = new AbortController();
          let settled = false;
          o.scrape({ url: target.url, timeoutMs, signal: ac.signal }).then(
            (r) => {
              settled = true;
              subscriber.next(r);
              subscriber.complete();
            },
            (e: unknown) => {
              settled = true;
              subscriber.error(e);
            },
          );
          // Hard stop or timeout: abort the request and its body stream. A finished request is left
          // alone: aborting it would only make undici emit errors on a body nobody listens to.
          return () => {
            if (!settled) ac.abort();
          };
        });
        return request$.pipe(
          timeout({ first: timeoutMs, scheduler: sched, with: () => throwError(() => new TimeoutError()) }),
          switchMap((resp) => from(onResponse(resp, ts, start))),
          catchError((e: unknown) => from(onFailure(e, ts, start))),
          // Last resort (a storage whose appender() throws, say): skip this scrape's report but keep the
          // loop alive, so one broken scrape never ends a target's loop.
          catchError((e: unknown) => {
            logger.error({ err: e, target: target.url }, 'Scrape failed unexpectedly');
            return EMPTY;
          }),
        );
      });

    const ticks$ = timer(offset, interval, sched);
    return ticks$.pipe(takeUntil(o.stop$ ?? NEVER), exhaustMap(scrapeOnce));
  });
}

/**
 * End-of-run staleness of a target that went away while its job lives on (Prometheus's `endOfRunStaleness`):
 * waits two intervals plus 10 %, so a target that comes straight back is not marked stale for long, then
 * writes stale markers for every series of its last scrape and for its report series, timestamped at the
 * first tick after the stop. Emits nothing; completes after writing.
 */
export function endOfRunStaleness(
  target: ScrapeTarget,
  cache: ScrapeCache,
  appendable: Appendable,
  scheduler: SchedulerLike = asyncScheduler,
  logger: Logger = noopLogger,
): Observable<never> {
  return defer(() => {
    const stoppedAt = scheduler.now();
    const interval = target.intervalMs;
    const ts = target.lastScrapeMs > 0 ? target.lastScrapeMs + interval : stoppedAt;
    if (cache.prev.length === 0 && cache.report.size === 0) return EMPTY;
    return timer(2 * interval + interval / 10, scheduler).pipe(
      exhaustMap(() =>
        defer(async () => {
          const app = appendable.appender();
          appendAllStale(cache.prev, app, ts);
          appendAllStale(cache.report.values(), app, ts);
          try {
            await app.commit();
          } catch (e) {
            logger.error({ err: e, target: target.url }, 'Stale commit failed');
          }
        }),
      ),
      switchMap(() => EMPTY),
    );
  });
}
