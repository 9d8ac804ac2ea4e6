import type { ScrapeConfig } from '@scrapewire/config';
import type { Labels, TargetGroup } from '@scrapewire/model';
import { buildGroupTargets, type CompiledRules } from './relabel-adapter.js';
import { ScrapeTarget } from './target.js';

/** The result of building one group's targets for a job. */
export interface GroupTargets {
  readonly targets: readonly ScrapeTarget[];
  /** Discovered labels of targets that relabeling dropped. */
  readonly dropped: readonly Labels[];
  /** Targets that could not be built (Prometheus logs these and counts `prometheus_target_sync_failed_total`). */
  readonly failures: readonly string[];
}

/**
 * Builds the scrape targets of one target group for a job (Prometheus's `TargetsFromGroup` followed by
 * target construction): discovered labels, `relabel_configs`, validation, URL, interval and timeout.
 */
export function targetsFromGroup(group: TargetGroup, cfg: ScrapeConfig, rules: CompiledRules): GroupTargets {
  const built = buildGroupTargets(group, cfg, rules);
  return {
    targets: built.targets.map(
      (t) => new ScrapeTarget(cfg.jobName, t.labels, t.discoveredLabels, t.url, t.intervalMs, t.timeoutMs),
    ),
    dropped: built.dropped,
    failures: built.failures,
  };
}
