import { hostname } from 'node:os';
import type { ScrapeConfig } from '@scrapewire/config';
import { fnv1a64, type Logger, noopLogger, type TargetGroup, type TargetSets } from '@scrapewire/model';
import { InvalidOptionsError } from '@scrapewire/model';
import type { Appendable } from '@scrapewire/storage';
import { asyncScheduler, Observable, type SchedulerLike, Subject, Subscription, throttleTime } from 'rxjs';
import { configEqual } from './config-equal.js';
import { createHttpScraper, type HttpScraper } from './http-scraper.js';
import { noopScrapeMetrics, type ScrapeMetrics } from './metrics.js';
import { defaultParserFactory } from './parser-factory.js';
import type { ParserFactory } from './scrape-loop.js';
import { ScrapePool } from './scrape-pool.js';
import type { ScrapeReport } from './scrape-report.js';
import type { ActiveTargetInfo, DroppedTargetInfo } from './target.js';

/** Options of {@link createScrapeManager}. */
export interface ScrapeManagerOptions {
  /** Where scraped samples go: one appender (transaction) per scrape. */
  readonly appendable: Appendable;
  /** @defaultValue `noopLogger` */
  readonly logger?: Logger;
  /** @defaultValue `noopScrapeMetrics` */
  readonly metrics?: ScrapeMetrics;
  /** Time source for offsets, intervals, timeouts and the reload throttle. @defaultValue `asyncScheduler` */
  readonly scheduler?: SchedulerLike;
  /**
   * Minimum time between two reloads of the target sets (Prometheus's
   * `--scrape.discovery-reload-interval`). @defaultValue `5000`
   */
  readonly reloadIntervalMs?: number;
  /**
   * Seed for the per-target scrape phase; give HA replicas different seeds.
   * @defaultValue FNV-1a of the host name
   */
  readonly offsetSeed?: bigint;
  /** Sent as `User-Agent`. @defaultValue `'scrapewire'` */
  readonly userAgent?: string;
  /** @internal Replaces the exposition parser selection (tests). */
  readonly parserFactory?: ParserFactory;
  /** @internal Replaces the HTTP client per job (tests, embedders with their own transport). */
  readonly createScraper?: (config: ScrapeConfig) => HttpScraper;
}

/** Active and dropped targets of one pool, for a targets API. */
export interface PoolTargets {
  readonly active: readonly ActiveTargetInfo[];
  /** At most `keep_dropped_targets` (0 = all). */
  readonly dropped: readonly DroppedTargetInfo[];
  /** How many targets relabeling dropped, kept or not. */
  readonly droppedCount: number;
}

/** The scrape engine: target sets and configs in, scrape reports out. */
export interface ScrapeManager {
  /**
   * Runs the engine. Cold: nothing happens until subscribed; unsubscribing is a hard stop of every loop
   * (in-flight requests aborted, no end-of-run staleness, connection pools closed).
   *
   * Each `config$` value is the whole list of scrape jobs and applies at once: removed jobs stop,
   * changed jobs restart their loops with the new settings, new jobs start at the next reload. Each
   * `targetSets$` value replaces the target groups of every job; reloads are throttled to one per
   * `reloadIntervalMs`: the first update after a quiet period applies at once, later ones are merged and
   * applied at the end of the interval, so a burst costs one reload and constant churn never starves it.
   *
   * Emits one {@link ScrapeReport} per scrape of any target. Errors only for invalid configs.
   */
  run(
    targetSets$: Observable<TargetSets>,
    config$: Observable<readonly ScrapeConfig[]>,
  ): Observable<ScrapeReport>;
  /** Targets per job of the running engine, sorted by job name; empty when not running. */
  targets(): ReadonlyMap<string, PoolTargets>;
}

function validate(cfgs: readonly ScrapeConfig[]): void {
  const names = new Set<string>();
  cfgs.forEach((c, i) => {
    if (names.has(c.jobName)) {
      throw new InvalidOptionsError(
        `found multiple scrape configs with job name ${JSON.stringify(c.jobName)}`,
        `scrapeConfigs[${i}].jobName`,
      );
    }
    names.add(c.jobName);
    if (!(c.scrapeIntervalMs > 0)) {
      throw new InvalidOptionsError(
        `scrape interval must be positive for job ${JSON.stringify(c.jobName)}`,
        `scrapeConfigs[${i}].scrapeIntervalMs`,
      );
    }
    if (c.scrapeTimeoutMs > c.scrapeIntervalMs) {
      throw new InvalidOptionsError(
        `scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(c.jobName)}`,
        `scrapeConfigs[${i}].scrapeTimeoutMs`,
      );
    }
  });
}

/**
 * Creates the scrape engine (Prometheus's `scrape.Manager`): one scrape pool per job, one scrape loop per
 * unique target, reports out.
 *
 * @throws {InvalidOptionsError} when `appendable` is missing or `reloadIntervalMs` is negative.
 * @example
 * const manager = createScrapeManager({ appendable: storage });
 * const sub = manager.run(discovery$, of(config.scrapeConfigs)).subscribe((r) => {
 *   if (!r.up) console.log(r.target.url, r.error?.message);
 * });
 * // later: sub.unsubscribe();
 */
export function createScrapeManager(options: ScrapeManagerOptions): ScrapeManager {
  if (options?.appendable === undefined)
    throw new InvalidOptionsError('appendable is required', 'appendable');
  const reloadIntervalMs = options.reloadIntervalMs ?? 5000;
  if (!(reloadIntervalMs >= 0)) {
    throw new InvalidOptionsError('reloadIntervalMs must not be negative', 'reloadIntervalMs');
  }
  const scheduler = options.scheduler ?? asyncScheduler;
  const metrics = options.metrics ?? noopScrapeMetrics;
  const logger = options.logger ?? noopLogger;
  const offsetSeed = options.offsetSeed ?? fnv1a64(hostname());
  const parserFactory = options.parserFactory ?? defaultParserFactory;
  const userAgent = options.userAgent ?? 'scrapewire';
  const createScraper = options.createScraper ?? ((c: ScrapeConfig) => createHttpScraper(c, { userAgent }));
  let running: Map<string, ScrapePool> | undefined;

  const run = (targetSets$: Observable<TargetSets>, config$: Observable<readonly ScrapeConfig[]>) =>
    new Observable<ScrapeReport>((subscriber) => {
      const pools = new Map<string, ScrapePool>();
      running = pools;
      let configs = new Map<string, ScrapeConfig>();
      let latest: TargetSets | undefined;
      // The groups each pool last synced, to skip pools whose groups did not change.
      const synced = new Map<string, readonly TargetGroup[]>();
      const trigger$ = new Subject<void>();
      const subs = new Subscription();
      const deps = {
        appendable: options.appendable,
        parserFactory,
        createScraper,
        scheduler,
        metrics,
        logger,
        offsetSeed,
        emit: (r: ScrapeReport) => subscriber.next(r),
      };

      const reload = () => {
        if (latest === undefined) return;
        for (const [job, groups] of latest) {
          const cfg = configs.get(job);
          if (cfg === undefined) continue;
          let pool = pools.get(job);
          if (pool === undefined) {
            try {
              pool = new ScrapePool(cfg, deps);
              metrics.incScrapePools(false);
            } catch (e) {
              metrics.incScrapePools(true);
              logger.error({ scrape_pool: job, err: e }, 'error creating new scrape pool');
              continue;
            }
            pools.set(job, pool);
          } else if (synced.get(job) === groups) {
            continue;
          }
          synced.set(job, groups);
          try {
            pool.sync(groups);
          } catch (e) {
            // A bug or a bad group must not take the engine down; the next update retries.
            synced.delete(job);
            logger.error({ scrape_pool: job, err: e }, 'error syncing scrape pool');
          }
        }
      };

      const applyConfig = (list: readonly ScrapeConfig[]) => {
        validate(list);
        const next = new Map(list.map((c) => [c.jobName, c] as const));
        for (const [job, pool] of pools) {
          const cfg = next.get(job);
          if (cfg === undefined) {
            pool.stop();
            pools.delete(job);
            synced.delete(job);
          } else if (!configEqual(cfg, configs.get(job))) {
            const started = performance.now();
            try {
              pool.reload(cfg);
              metrics.incScrapePoolReloads(false);
            } catch (e) {
              metrics.incScrapePoolReloads(true);
              logger.error({ scrape_pool: job, err: e }, 'error reloading scrape pool');
            }
            metrics.observeReloadLength(String(cfg.scrapeIntervalMs), (performance.now() - started) / 1000);
          }
        }
        configs = next;
      };

      subs.add(
        trigger$
          .pipe(throttleTime(reloadIntervalMs, scheduler, { leading: true, trailing: true }))
          .subscribe(() => reload()),
      );
      subs.add(
        config$.subscribe({
          next: (list) => {
            try {
              applyConfig(list);
            } catch (e) {
              subscriber.error(e);
              return;
            }
            // Before the first target sets there is nothing to reload; do not spend the throttle's
            // leading slot, so that the first target sets apply at once.
            if (latest !== undefined) trigger$.next();
          },
          error: (e: unknown) => subscriber.error(e),
        }),
      );
      subs.add(
        targetSets$.subscribe({
          next: (sets) => {
            latest = sets;
            trigger$.next();
          },
          error: (e: unknown) => subscriber.error(e),
        }),
      );
      return () => {
        subs.unsubscribe();
        for (const pool of pools.values()) pool.stop();
        pools.clear();
        if (running === pools) running = undefined;
      };
    });

  const targets = (): ReadonlyMap<string, PoolTargets> => {
    const out = new Map<string, PoolTargets>();
    if (running === undefined) return out;
    for (const job of [...running.keys()].sort()) {
      const pool = running.get(job)!;
      const d = pool.droppedTargets();
      out.set(job, {
        active: pool.activeTargets().map((t) => t.toJSON()),
        dropped: d.targets.map((l) => ({ scrapePool: job, discoveredLabels: l.toObject() })),
        droppedCount: d.count,
      });
    }
    return out;
  };

  return { run, targets };
}
