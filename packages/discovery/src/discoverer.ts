import type { FileSDConfig, HttpSDConfig, KubernetesSDConfig, StaticConfig } from '@scrapewire/config';
import type { Logger, TargetGroup } from '@scrapewire/model';
import type { Observable, SchedulerLike } from 'rxjs';
import type { DiscoveryMetrics } from './metrics.js';

/**
 * A discoverer: a cold Observable of target group updates.
 *
 * Contract (Prometheus `discovery/README.md`): the first emission is the full set the provider knows
 * (possibly empty); later emissions carry only groups that changed; a group whose object vanished is sent
 * once with its `source` and no targets. A discoverer does not complete while it is watching and does not
 * error for a transient failure (it logs, counts and keeps its last good groups). Unsubscribing stops
 * every watch, timer and socket it owns.
 */
export type Discoverer = Observable<TargetGroup[]>;

/** What a discoverer factory gets besides its config. */
export interface DiscovererContext {
  /** Where the provider logs; already scoped to the mechanism and job by the manager. */
  readonly logger: Logger;
  /** Where the provider counts refreshes and failures. */
  readonly metrics: DiscoveryMetrics;
  /** Scheduler for refresh timers; `asyncScheduler` when absent. Tests pass a virtual-time scheduler. */
  readonly scheduler?: SchedulerLike;
  /** Directory relative file paths are resolved against (the config file's directory); the cwd when absent. */
  readonly baseDir?: string;
  /** The job that first asked for this provider: the `config` label of the refresh metrics. */
  readonly configName?: string;
}

/**
 * The config each SD mechanism's factory takes. `static` takes all `static_configs` of one job together,
 * as Prometheus coalesces them into a single provider (sources `0`, `1`, … across the list).
 */
export interface DiscovererConfigs {
  static: readonly StaticConfig[];
  file: FileSDConfig;
  http: HttpSDConfig;
  kubernetes: KubernetesSDConfig;
}

/** An SD mechanism name, as Prometheus's `Config.Name()` spells it. */
export type DiscoveryMechanism = keyof DiscovererConfigs;

/** Creates the discoverer for one SD config block. May throw {@link InvalidOptionsError} for a bad config. */
export type DiscovererFactory<C> = (config: C, ctx: DiscovererContext) => Discoverer;
