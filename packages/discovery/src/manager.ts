import type { ServiceDiscoveryConfigs } from '@scrapewire/config';
import {
  InvalidOptionsError,
  type Logger,
  type TargetGroup,
  type TargetSets,
  noopLogger,
} from '@scrapewire/model';
import { Observable, type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';
import { configEqual } from './config-equal.js';
import type { Discoverer, DiscovererContext, DiscoveryMechanism } from './discoverer.js';
import { DiscoveryError, DiscoveryErrorCode } from './errors.js';
import { targetGroupEqual } from './group-tracker.js';
import { type DiscoveryMetrics, noopDiscoveryMetrics } from './metrics.js';
import { type DiscovererRegistry, createDefaultDiscovererRegistry } from './registry.js';

/** One scrape job as discovery sees it. A config package `ScrapeConfig` satisfies it. */
export interface DiscoveryJob {
  readonly jobName: string;
  readonly serviceDiscovery: ServiceDiscoveryConfigs;
}

/** Options of {@link discoverTargets}. Every field is optional. */
export interface DiscoverTargetsOptions {
  /** The SD mechanisms available; {@link createDefaultDiscovererRegistry} when absent. */
  readonly registry?: DiscovererRegistry;
  readonly logger?: Logger;
  readonly metrics?: DiscoveryMetrics;
  /** Scheduler for the send throttle and for providers' timers; `asyncScheduler` when absent. */
  readonly scheduler?: SchedulerLike;
  /**
   * Minimum time between two emitted target sets (Prometheus's `updatert`, 5 s). The first update after a
   * quiet period goes out at once; updates within the interval are merged into one emission at its end.
   * `0` sends every update at once.
   */
  readonly updateIntervalMs?: number;
  /** Directory that relative file_sd paths are resolved against (the config file's directory). */
  readonly baseDir?: string;
}

/** The default {@link DiscoverTargetsOptions.updateIntervalMs}, as Prometheus's discovery manager. */
export const DEFAULT_DISCOVERY_UPDATE_INTERVAL_MS = 5000;

interface Provider {
  readonly mechanism: DiscoveryMechanism;
  readonly config: unknown;
  readonly discoverer: Discoverer;
  /** Jobs that receive this provider's groups. */
  subs: Set<string>;
  /** Current groups by source; groups with no targets are removed, not stored. */
  readonly groups: Map<string, TargetGroup>;
  subscription?: Subscription;
  /** False until the discoverer's first emission, which is its full set and replaces `groups`. */
  reported: boolean;
  /** Set when the discoverer errored: its last groups stay, and the next reload starts a fresh one. */
  failed: boolean;
}

function scopedLogger(base: Logger, fields: object): Logger {
  return {
    debug: (obj, msg) => base.debug({ ...fields, ...obj }, msg),
    info: (obj, msg) => base.info({ ...fields, ...obj }, msg),
    warn: (obj, msg) => base.warn({ ...fields, ...obj }, msg),
    error: (obj, msg) => base.error({ ...fields, ...obj }, msg),
  };
}

/**
 * The discovery manager: runs one provider per distinct SD config of the given jobs and emits, per job,
 * the current target groups (`Map<jobName, TargetGroup[]>`, every job present, `[]` when it has none).
 *
 * - **Sharing.** Deep-equal SD configs (across jobs, or within one) share one provider, so one set of
 *   watches and requests. A job's `static_configs` together form one provider, as in Prometheus.
 * - **Reload.** Each emission of `jobs$` is a complete new job list. Providers whose config is unchanged
 *   keep running and keep their groups (their targets do not flap); providers no job needs any more are
 *   unsubscribed; new ones start; jobs that vanished disappear from the output. A reload sends a new
 *   target set at once (subject to the throttle); the first job list is sent when its providers first
 *   report. A job with no SD config at all still appears, with no groups.
 * - **State.** A group received with no targets deletes its source from the state, so vanished objects
 *   are forgotten; emissions are full state, so the consumer sees the group disappear. An update that
 *   changes nothing (a group re-sent as it was) does not cause an emission.
 * - **Throttle.** See {@link DiscoverTargetsOptions.updateIntervalMs}.
 * - **Failures.** A mechanism missing from the registry or a factory that throws is logged and counted in
 *   `setFailedConfigs`; the other configs run. A provider whose Observable errors keeps its last groups
 *   and is restarted by the next reload. The output errors only if `jobs$` errors.
 *
 * Cold: nothing runs until subscribed; unsubscribing stops every provider and the throttle timer. If
 * `jobs$` completes, the last job list stays in effect.
 *
 * @throws InvalidOptionsError when `updateIntervalMs` is negative or not a number.
 */
export function discoverTargets(
  jobs$: Observable<readonly DiscoveryJob[]>,
  options: DiscoverTargetsOptions = {},
): Observable<TargetSets> {
  const updateIntervalMs = options.updateIntervalMs ?? DEFAULT_DISCOVERY_UPDATE_INTERVAL_MS;
  if (!(updateIntervalMs >= 0) || !Number.isFinite(updateIntervalMs)) {
    throw new InvalidOptionsError('updateIntervalMs must be a non-negative number', 'updateIntervalMs');
  }
  const registry = options.registry ?? createDefaultDiscovererRegistry();
  const logger = options.logger ?? noopLogger;
  const metrics = options.metrics ?? noopDiscoveryMetrics;
  const scheduler = options.scheduler ?? asyncScheduler;

  return new Observable<TargetSets>((subscriber) => {
    let providers: Provider[] = [];
    let jobOrder: string[] = [];
    let applying = false;
    // Throttle state: `dirty` says the state changed since the last emission.
    let dirty = false;
    let lastSentAt = Number.NEGATIVE_INFINITY;
    let pending: Subscription | undefined;

    const snapshot = (): Map<string, TargetGroup[]> => {
      const out = new Map<string, TargetGroup[]>();
      const counts = new Map<string, number>();
      for (const job of jobOrder) {
        out.set(job, []);
        counts.set(job, 0);
      }
      for (const p of providers) {
        for (const job of p.subs) {
          const list = out.get(job)!;
          for (const g of p.groups.values()) {
            list.push(g);
            counts.set(job, counts.get(job)! + g.targets.length);
          }
        }
      }
      const nowSeconds = scheduler.now() / 1000;
      for (const [job, n] of counts) {
        metrics.setDiscoveredTargets(job, n);
        metrics.setLastUpdateTimestamp(job, nowSeconds);
      }
      return out;
    };

    const send = (): void => {
      if (!dirty || subscriber.closed) return;
      dirty = false;
      lastSentAt = scheduler.now();
      metrics.incSentUpdates();
      subscriber.next(snapshot());
    };

    const trigger = (): void => {
      dirty = true;
      if (applying || pending !== undefined) return;
      // Even an update that may go out at once is sent from a zero-delay action, so that providers
      // reporting in the same instant (a burst of synchronous emissions, a reload) make one target set.
      const wait = Math.max(0, lastSentAt + updateIntervalMs - scheduler.now());
      if (wait > 0) metrics.incDelayedUpdates();
      let ran = false;
      const action = scheduler.schedule(() => {
        ran = true;
        pending = undefined;
        send();
      }, wait);
      // A synchronous scheduler (queueScheduler) has already run the action: nothing is pending then.
      if (!ran) pending = action;
    };

    /** Applies a provider's emission to its groups; true when anything changed. */
    const applyUpdate = (p: Provider, groups: readonly TargetGroup[]): boolean => {
      let changed = false;
      if (!p.reported) {
        // The first emission is the provider's full set: it replaces groups inherited from a failed
        // predecessor, so a source that is gone meanwhile does not linger.
        p.reported = true;
        const before = new Map(p.groups);
        p.groups.clear();
        for (const g of groups) if (g.targets.length > 0) p.groups.set(g.source, g);
        changed = before.size !== p.groups.size || before.size === 0;
        for (const [source, g] of p.groups) {
          const prev = before.get(source);
          if (prev === undefined || !targetGroupEqual(prev, g)) changed = true;
        }
        return changed;
      }
      for (const g of groups) {
        const prev = p.groups.get(g.source);
        if (g.targets.length > 0) {
          if (prev === undefined || !targetGroupEqual(prev, g)) changed = true;
          p.groups.set(g.source, g);
        } else if (prev !== undefined) {
          changed = true;
          p.groups.delete(g.source);
        }
      }
      return changed;
    };

    const start = (p: Provider): void => {
      const plog = scopedLogger(logger, { discovery: p.mechanism });
      p.subscription = p.discoverer.subscribe({
        next: (groups) => {
          metrics.incReceivedUpdates();
          if (applyUpdate(p, groups)) trigger();
        },
        error: (cause: unknown) => {
          p.failed = true;
          const err = new DiscoveryError(
            DiscoveryErrorCode.ProviderFailed,
            `${p.mechanism} discoverer failed: ${(cause as Error)?.message ?? String(cause)}`,
            { cause },
          );
          plog.error({ err, code: err.code, jobs: [...p.subs] }, 'discoverer stopped with an error');
        },
        complete: () => plog.debug({ jobs: [...p.subs] }, 'discoverer completed'),
      });
    };

    const apply = (jobs: readonly DiscoveryJob[]): void => {
      const byName = new Map<string, ServiceDiscoveryConfigs>();
      for (const j of jobs) {
        if (byName.has(j.jobName)) logger.warn({ job: j.jobName }, 'duplicate job name; the last one wins');
        byName.set(j.jobName, j.serviceDiscovery);
      }
      const newSubs = new Map<Provider, Set<string>>();
      const created: Provider[] = [];
      let failed = 0;

      const add = (mechanism: DiscoveryMechanism, config: unknown, job: string): boolean => {
        for (const p of [...providers, ...created]) {
          if (!p.failed && p.mechanism === mechanism && configEqual(p.config, config)) {
            const subs = newSubs.get(p) ?? new Set<string>();
            subs.add(job);
            newSubs.set(p, subs);
            return true;
          }
        }
        const factory = registry.get(mechanism) as
          | ((c: unknown, ctx: DiscovererContext) => Discoverer)
          | undefined;
        if (factory === undefined) {
          const err = new DiscoveryError(
            DiscoveryErrorCode.UnknownMechanism,
            `no discoverer registered for ${mechanism}`,
          );
          logger.error({ job, discovery: mechanism, err, code: err.code }, 'cannot create service discovery');
          failed++;
          return false;
        }
        const ctx: DiscovererContext = {
          logger: scopedLogger(logger, { discovery: mechanism, config: job }),
          metrics,
          configName: job,
          ...(options.scheduler !== undefined ? { scheduler: options.scheduler } : {}),
          ...(options.baseDir !== undefined ? { baseDir: options.baseDir } : {}),
        };
        let discoverer: Discoverer;
        try {
          discoverer = factory(config, ctx);
        } catch (err) {
          logger.error({ job, discovery: mechanism, err }, 'cannot create service discovery');
          failed++;
          return false;
        }
        // A provider that errored is replaced by a fresh one for the same config; the fresh one starts from
        // the old groups so its jobs' targets do not flap while it starts.
        const predecessor = providers.find(
          (q) => q.failed && q.mechanism === mechanism && configEqual(q.config, config),
        );
        const p: Provider = {
          mechanism,
          config,
          discoverer,
          subs: new Set(),
          groups: new Map(predecessor?.groups),
          failed: false,
          reported: false,
        };
        created.push(p);
        newSubs.set(p, new Set([job]));
        return true;
      };

      for (const [job, sd] of byName) {
        let added = false;
        if (sd.staticConfigs.length > 0) added = add('static', sd.staticConfigs, job) || added;
        for (const c of sd.fileSdConfigs) added = add('file', c, job) || added;
        for (const c of sd.httpSdConfigs) added = add('http', c, job) || added;
        for (const c of sd.kubernetesSdConfigs) added = add('kubernetes', c, job) || added;
        // Like Prometheus: a job with nothing to run still gets an (empty) provider, so it is sent.
        if (!added) add('static', [], job);
      }
      metrics.setFailedConfigs(failed);

      const hadProviders = providers.length > 0;
      applying = true;
      try {
        const kept: Provider[] = [];
        for (const p of providers) {
          const subs = newSubs.get(p);
          if (subs === undefined) {
            p.subscription?.unsubscribe();
            continue;
          }
          p.subs = subs;
          kept.push(p);
        }
        for (const job of jobOrder) if (!byName.has(job)) metrics.deleteJob(job);
        providers = [...kept, ...created];
        jobOrder = [...byName.keys()];
        for (const p of created) {
          p.subs = newSubs.get(p)!;
          start(p);
        }
      } finally {
        applying = false;
      }
      // As Prometheus: a reload sends at once (jobs may have gone, providers moved); the very first job
      // list waits for its providers to report, so the consumer is not first handed all-empty jobs. A
      // provider that reported synchronously while starting has already marked the state dirty.
      if (hadProviders || dirty) trigger();
    };

    const jobsSubscription = jobs$.subscribe({
      next: (jobs) => apply(jobs),
      error: (err: unknown) => subscriber.error(err),
    });

    return () => {
      jobsSubscription.unsubscribe();
      pending?.unsubscribe();
      pending = undefined;
      for (const p of providers) p.subscription?.unsubscribe();
      providers = [];
    };
  });
}
