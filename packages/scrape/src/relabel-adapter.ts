import type { Labels, TargetGroup } from '@scrapewire/model';
import {
  type CompiledRelabelConfigs,
  compileRelabelConfigs,
  parsePrometheusDuration,
  type RelabelConfig,
  relabel,
  targetScrapeUrl,
  targetsFromGroup as relabelTargetsFromGroup,
  type TargetLabelOptions,
} from '@scrapewire/relabel';

/*
 * The only module of the scrape engine that calls into `@scrapewire/relabel`, so that package's API can
 * evolve behind these few functions.
 */

/** Applies a compiled list of relabel rules; `undefined` means the label set was dropped. */
export type RelabelFn = (labels: Labels) => Labels | undefined;

/** Compiled rules of one job: the relabel package's compiled form and a function applying it. */
export interface CompiledRules {
  readonly compiled: CompiledRelabelConfigs;
  readonly apply: RelabelFn;
}

const identity: RelabelFn = (l) => l;

/**
 * Compiles `relabel_configs` / `metric_relabel_configs`.
 * @throws {RelabelConfigError} for an invalid rule.
 */
export function compileRules(configs: readonly RelabelConfig[], scheme: 'utf8' | 'legacy'): CompiledRules {
  const compiled = compileRelabelConfigs(configs, { nameValidationScheme: scheme });
  const apply: RelabelFn = configs.length === 0 ? identity : (l) => relabel(l, compiled);
  return { compiled, apply };
}

/** One target built from a group, before it becomes a `ScrapeTarget`. */
export interface BuiltTarget {
  readonly labels: Labels;
  readonly discoveredLabels: Labels;
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** The outcome of building a group's targets. */
export interface BuiltGroup {
  readonly targets: readonly BuiltTarget[];
  readonly dropped: readonly Labels[];
  readonly failures: readonly string[];
}

/** Builds a group's targets with the relabel package's `targetsFromGroup` (Prometheus's §2.5 steps). */
export function buildGroupTargets(
  group: TargetGroup,
  options: TargetLabelOptions,
  rules: CompiledRules,
): BuiltGroup {
  const targets: BuiltTarget[] = [];
  const dropped: Labels[] = [];
  const failures: string[] = [];
  for (const r of relabelTargetsFromGroup(group, options, rules.compiled)) {
    if (r.kind === 'dropped') dropped.push(r.discoveredLabels);
    else if (r.kind === 'failed') failures.push(r.error);
    else {
      targets.push({
        labels: r.labels,
        discoveredLabels: r.discoveredLabels,
        url: targetScrapeUrl(r.labels, options.params ?? {}),
        intervalMs: parsePrometheusDuration(r.labels.get('__scrape_interval__')),
        timeoutMs: parsePrometheusDuration(r.labels.get('__scrape_timeout__')),
      });
    }
  }
  return { targets, dropped, failures };
}
