import type { ScrapeConfig } from '@scrapewire/config';
import type { Labels, Logger, TargetGroup } from '@scrapewire/model';
import type { Appendable } from '@scrapewire/storage';
import {
  concat,
  EMPTY,
  ignoreElements,
  Observable,
  ReplaySubject,
  type SchedulerLike,
  type Subject,
  Subscription,
  tap,
} from 'rxjs';
import { configEqual } from './config-equal.js';
import { ScrapeError } from './errors.js';
import type { HttpScraper } from './http-scraper.js';
import type { ScrapeMetrics } from './metrics.js';
import { type CompiledRules, compileRules } from './relabel-adapter.js';
import { ScrapeCache } from './scrape-cache.js';
import { endOfRunStaleness, type ParserFactory, scrapeLoop } from './scrape-loop.js';
import type { ScrapeReport } from './scrape-report.js';
import type { ScrapeTarget } from './target.js';
import { type GroupTargets, targetsFromGroup } from './targets-from-groups.js';

/** What a pool needs from its manager. */
export interface ScrapePoolDeps {
  readonly appendable: Appendable;
  readonly parserFactory: ParserFactory;
  readonly createScraper: (config: ScrapeConfig) => HttpScraper;
  readonly scheduler: SchedulerLike;
  readonly metrics: ScrapeMetrics;
  readonly logger: Logger;
  readonly offsetSeed: bigint;
  /** Where the pool's loops deliver their reports. */
  readonly emit: (report: ScrapeReport) => void;
}

/** A group as last synced and the targets built from it. */
interface GroupEntry {
  readonly group: TargetGroup;
  readonly built: GroupTargets;
}

/** A running loop of the pool. */
interface LoopHandle {
  readonly target: ScrapeTarget;
  readonly cache: ScrapeCache;
  readonly stop$: Subject<void>;
  /** Emits once the loop's scrapes are over (graceful stop); a restarted loop waits for it. */
  readonly done$: Observable<void>;
  /** Suppresses end-of-run staleness (a restart that hands the cache over). */
  skipStaleness: boolean;
}

/** A target's endpoint and public identity, ignoring private labels such as `__scrape_interval__`. */
function endpointKey(t: ScrapeTarget): string {
  return `${t.url}\xff${t.publicLabels.key()}`;
}

/**
 * Two configs can share a scrape cache when they differ at most in interval, timeout, sample limit and
 * HTTP client settings (Prometheus's `reusableCache`).
 */
function cacheReusable(a: ScrapeConfig, b: ScrapeConfig): boolean {
  const strip = (c: ScrapeConfig) => ({
    ...c,
    scrapeIntervalMs: 0,
    scrapeTimeoutMs: 0,
    sampleLimit: 0,
    httpClient: null,
  });
  return configEqual(strip(a), strip(b));
}

/**
 * The targets of one job (Prometheus's `scrapePool`): builds targets from target groups, keeps one scrape
 * loop per unique target, and reconciles them by target identity on every sync. Imperative inside, because
 * keyed reconciliation is; every loop it starts is a subscription it owns, released by {@link stop}.
 */
export class ScrapePool {
  private config: ScrapeConfig;
  private scraper: HttpScraper;
  private targetRelabel: CompiledRules;
  private metricRelabel: CompiledRules;
  private readonly loops = new Map<string, LoopHandle>();
  /** Every subscription this pool started, including loops that are stopping gracefully. */
  private readonly subs = new Subscription();
  /** Built targets per group source, reused while the group object is unchanged. */
  private groupCache = new Map<string, GroupEntry>();
  /** How many group entries list each target hash. */
  private readonly refs = new Map<string, number>();
  private lastGroups: readonly TargetGroup[] = [];
  private forcedError: ScrapeError | undefined;
  private droppedList: Labels[] = [];
  private droppedTotal = 0;
  /** Set during a reload: whether the new config may take over the old loops' caches. */
  private reusable = false;
  /** Set during a reload: loops still finishing with the old HTTP client. */
  private retiring: Observable<void>[] = [];
  /** HTTP clients of replaced configs, closed once their last loop is done (or at {@link stop}). */
  private readonly closing = new Set<HttpScraper>();

  constructor(
    config: ScrapeConfig,
    private readonly deps: ScrapePoolDeps,
  ) {
    // Compile first: an invalid rule throws before any resource (the connection pool) exists.
    this.targetRelabel = compileRules(config.relabelConfigs, config.metricNameValidationScheme);
    this.metricRelabel = compileRules(config.metricRelabelConfigs, config.metricNameValidationScheme);
    this.config = config;
    this.scraper = deps.createScraper(config);
    deps.metrics.setTargetLimit(config.jobName, config.targetLimit);
  }

  get jobName(): string {
    return this.config.jobName;
  }

  /** The active targets, in no particular order. */
  activeTargets(): ScrapeTarget[] {
    return [...this.loops.values()].map((h) => h.target);
  }

  /** Discovered labels of dropped targets (at most `keep_dropped_targets`, 0 = all), and how many were dropped. */
  droppedTargets(): { readonly targets: readonly Labels[]; readonly count: number } {
    return { targets: this.droppedList, count: this.droppedTotal };
  }

  /**
   * Reconciles the running loops with the job's target groups (Prometheus's `scrapePool.Sync`). Unchanged
   * targets keep their loop; new ones start; vanished ones stop gracefully and write end-of-run staleness.
   *
   * Incremental: a group whose object is the same as last time is skipped entirely, so the cost of a sync
   * follows the groups that changed, not the number of targets. Targets are reference-counted across
   * groups (the same target in two groups is one loop, stopped when no group lists it any more).
   */
  sync(groups: readonly TargetGroup[]): void {
    const started = performance.now();
    this.lastGroups = groups;
    const next = new Map<string, GroupEntry>();
    const maybeGone: string[] = [];
    const added: ScrapeTarget[] = [];
    groups.forEach((g, i) => {
      const key = next.has(g.source) ? `${g.source}\xff${i}` : g.source;
      const cached = this.groupCache.get(key);
      if (cached && cached.group === g) {
        next.set(key, cached);
        return;
      }
      const built = this.build(g);
      next.set(key, { group: g, built });
      if (cached) for (const t of cached.built.targets) maybeGone.push(this.unref(t.id));
      for (const t of built.targets) {
        this.ref(t.id);
        added.push(t);
      }
    });
    for (const [key, entry] of this.groupCache) {
      if (!next.has(key)) for (const t of entry.built.targets) maybeGone.push(this.unref(t.id));
    }
    this.groupCache = next;
    this.collectDropped();
    for (const hash of maybeGone) {
      if (this.refs.has(hash)) continue;
      const h = this.loops.get(hash);
      if (h === undefined) continue;
      this.loops.delete(hash);
      h.stop$.next();
    }
    for (const t of added) if (!this.loops.has(t.id)) this.start(t);
    this.afterSync(started);
  }

  /**
   * The sync of a config reload: every group rebuilt with the new config and every loop replaced (see
   * {@link reload}). During a reload a target may change identity only through its private labels (a new
   * `__scrape_interval__`, say): it is still the same endpoint with the same series, so its successor
   * takes over like a restart rather than as a new target next to a stopping one.
   */
  private resync(): void {
    const started = performance.now();
    const next = new Map<string, GroupEntry>();
    const seen = new Map<string, ScrapeTarget>();
    this.refs.clear();
    this.lastGroups.forEach((g, i) => {
      const key = next.has(g.source) ? `${g.source}\xff${i}` : g.source;
      const built = this.build(g);
      next.set(key, { group: g, built });
      for (const t of built.targets) {
        this.ref(t.id);
        if (!seen.has(t.id)) seen.set(t.id, t);
      }
    });
    this.groupCache = next;
    this.collectDropped();
    const successors = new Map<string, LoopHandle>();
    for (const [hash, h] of this.loops) {
      if (seen.has(hash)) continue;
      this.loops.delete(hash);
      successors.set(endpointKey(h.target), h);
    }
    for (const [hash, t] of seen) {
      const h = this.loops.get(hash);
      if (h !== undefined) {
        this.restart(h, t);
        continue;
      }
      const prev = successors.get(endpointKey(t));
      if (prev !== undefined) {
        successors.delete(endpointKey(t));
        this.restart(prev, t);
      } else this.start(t);
    }
    for (const h of successors.values()) {
      h.stop$.next();
      this.retiring.push(h.done$);
    }
    this.afterSync(started);
  }

  private build(g: TargetGroup): GroupTargets {
    const built = targetsFromGroup(g, this.config, this.targetRelabel);
    for (const f of built.failures) {
      this.deps.logger.error({ scrape_pool: this.jobName, err: f }, 'Creating target failed');
      this.deps.metrics.incSyncFailed(this.jobName);
    }
    return built;
  }

  private ref(hash: string): void {
    this.refs.set(hash, (this.refs.get(hash) ?? 0) + 1);
  }

  private unref(hash: string): string {
    const n = (this.refs.get(hash) ?? 0) - 1;
    if (n > 0) this.refs.set(hash, n);
    else this.refs.delete(hash);
    return hash;
  }

  /** Dropped targets: all counted, at most `keep_dropped_targets` kept (0 = all). O(groups) unless listed. */
  private collectDropped(): void {
    const keep = this.config.keepDroppedTargets;
    const list: Labels[] = [];
    let total = 0;
    for (const { built } of this.groupCache.values()) {
      total += built.dropped.length;
      if (keep > 0 && list.length >= keep) continue;
      for (const d of built.dropped) {
        if (keep > 0 && list.length >= keep) break;
        list.push(d);
      }
    }
    this.droppedList = list;
    this.droppedTotal = total;
  }

  private afterSync(started: number): void {
    this.deps.metrics.setTargets(this.jobName, this.loops.size);
    const limit = this.config.targetLimit;
    if (limit > 0 && this.loops.size > limit) {
      this.forcedError = new ScrapeError(
        'SW_ERR_TARGET_LIMIT',
        `target_limit exceeded (number of targets: ${this.loops.size}, limit: ${limit})`,
      );
      this.deps.metrics.incExceededTargetLimit();
    } else {
      this.forcedError = undefined;
    }
    this.deps.metrics.observeSync(this.jobName, (performance.now() - started) / 1000);
  }

  /**
   * Applies a changed job configuration (Prometheus's `scrapePool.reload`): a new HTTP client, targets
   * rebuilt, and every loop replaced by one with the new settings. A replaced loop is stopped gracefully
   * and its successor starts only once the old loop's in-flight scrape has finished, so a reload never
   * cancels a scrape (which would show as a spurious `up = 0`).
   */
  reload(config: ScrapeConfig): void {
    // Compile first: an invalid rule leaves the pool running with its old config.
    const targetRelabel = compileRules(config.relabelConfigs, config.metricNameValidationScheme);
    const metricRelabel = compileRules(config.metricRelabelConfigs, config.metricNameValidationScheme);
    const old = this.config;
    const oldScraper = this.scraper;
    this.targetRelabel = targetRelabel;
    this.metricRelabel = metricRelabel;
    this.config = config;
    this.scraper = this.deps.createScraper(config);
    this.reusable = cacheReusable(old, config);
    this.deps.metrics.setTargetLimit(config.jobName, config.targetLimit);
    this.resync();
    // Old loops finish their in-flight scrape with the old client; close it once they are done.
    const closeOld = concat(...this.retiring).pipe(ignoreElements());
    this.retiring = [];
    this.closing.add(oldScraper);
    this.subs.add(
      closeOld.subscribe({
        complete: () => {
          this.closing.delete(oldScraper);
          void oldScraper.close();
        },
      }),
    );
  }

  /** Hard stop: tears down every loop without end-of-run staleness (job removed or engine stopped). */
  stop(): void {
    this.subs.unsubscribe();
    this.loops.clear();
    void this.scraper.close();
    for (const c of this.closing) void c.close();
    this.closing.clear();
    this.deps.metrics.deleteJob(this.jobName);
  }

  private start(target: ScrapeTarget, after?: Observable<void>, cache?: ScrapeCache): void {
    // Replays the stop to a loop that subscribes late (one still waiting for its predecessor).
    const stop$ = new ReplaySubject<void>(1);
    // Replays completion to late subscribers: a successor may subscribe after this loop has ended.
    const done = new ReplaySubject<void>(1);
    const handle: LoopHandle = {
      target,
      cache: cache ?? new ScrapeCache(),
      stop$,
      done$: done,
      skipStaleness: false,
    };
    const loop$ = scrapeLoop({
      target,
      config: this.config,
      appendable: this.deps.appendable,
      scrape: this.scraper.scrape,
      parserFactory: this.deps.parserFactory,
      metricRelabel: this.metricRelabel.apply,
      stop$,
      cache: handle.cache,
      forcedError: () => this.forcedError,
      scheduler: this.deps.scheduler,
      metrics: this.deps.metrics,
      logger: this.deps.logger,
      offsetSeed: this.deps.offsetSeed,
    }).pipe(tap({ complete: () => done.complete() }));
    const staleness$ = new Observable<never>((s) =>
      handle.skipStaleness
        ? s.complete()
        : endOfRunStaleness(
            target,
            handle.cache,
            this.deps.appendable,
            this.deps.scheduler,
            this.deps.logger,
          ).subscribe(s),
    );
    const full$ = concat((after ?? EMPTY).pipe(ignoreElements()), loop$, staleness$);
    // `sub` may not be assigned yet if the stream ends during subscribe; `closed` covers that case below.
    let sub: Subscription | undefined;
    const release = () => {
      if (sub) this.subs.remove(sub);
    };
    sub = full$.subscribe({
      next: (r) => this.deps.emit(r),
      error: (e: unknown) => {
        this.deps.logger.error({ err: e, target: target.url }, 'Scrape loop failed');
        release();
      },
      complete: release,
    });
    if (!sub.closed) this.subs.add(sub);
    this.loops.set(target.id, handle);
  }

  /**
   * Replaces a loop: the old one stops gracefully, the new one subscribes once the old one's in-flight
   * scrape is over. The new loop takes over the old cache when the configs allow (Prometheus's
   * `reusableCache`); otherwise it starts with a fresh cache that inherits the old loop's last series, so
   * series that vanish across the reload still get stale markers from the new loop. Either way the old loop
   * writes no end-of-run staleness: its series live on in the successor (Prometheus writes them and relies
   * on the storage rejecting them as out of order, which not every Appendable does).
   */
  private restart(old: LoopHandle, target: ScrapeTarget): void {
    old.skipStaleness = true;
    old.stop$.next();
    this.retiring.push(old.done$);
    if (this.reusable) {
      this.start(target, old.done$, old.cache);
      return;
    }
    const fresh = new ScrapeCache();
    const inherit = old.done$.pipe(
      tap({
        complete: () => {
          fresh.inherit(old.cache);
        },
      }),
    );
    this.start(target, inherit, fresh);
  }
}
