import { formatDuration, Labels, type TargetGroup } from '@scrapewire/model';
import { RelabelBuilder } from './builder.js';
import type { CompiledRelabelConfigs } from './compile.js';
import { goQuote, parsePrometheusDuration } from './duration.js';
import { isValidUtf8 } from './label-name.js';
import { applyRules } from './relabel.js';

/**
 * The parts of a scrape job's configuration that shape its targets' labels. Structurally a subset of
 * `@scrapewire/config`'s `ScrapeConfig`, so a resolved job can be passed as it is.
 */
export interface TargetLabelOptions {
  /** Becomes the `job` label unless the target already has one. */
  readonly jobName: string;
  /** Becomes `__scrape_interval__` (e.g. `1m`). */
  readonly scrapeIntervalMs: number;
  /** Becomes `__scrape_timeout__` (e.g. `10s`). */
  readonly scrapeTimeoutMs: number;
  /** Becomes `__metrics_path__`. */
  readonly metricsPath: string;
  /** Becomes `__scheme__`. */
  readonly scheme: string;
  /** Each key's first value becomes `__param_<key>` unless already set. @defaultValue `{}` */
  readonly params?: Readonly<Record<string, readonly string[]>>;
  /** Becomes `__scrape_native_histograms__` (Prometheus 3.13+). @defaultValue `false` */
  readonly scrapeNativeHistograms?: boolean;
  /** Becomes `__always_scrape_classic_histograms__` (Prometheus 3.13+). @defaultValue `false` */
  readonly alwaysScrapeClassicHistograms?: boolean;
  /** Becomes `__convert_classic_histograms_to_nhcb__` (Prometheus 3.13+). @defaultValue `false` */
  readonly convertClassicHistogramsToNhcb?: boolean;
}

/** A target that survived relabeling. */
export interface PopulatedTarget {
  readonly kind: 'target';
  /**
   * Every label of the target after relabeling, `__meta_*` removed and `instance` defaulted. Labels
   * starting with `__` (`__address__`, `__scheme__`, `__param_*`, `__tmp_*`, …) drive the scrape and
   * count in the target's identity but are not public: see {@link publicTargetLabels}.
   */
  readonly labels: Labels;
  /** The labels before relabeling (what the targets API shows as `discoveredLabels`). */
  readonly discoveredLabels: Labels;
}

/** A target that a relabel rule dropped; kept for the targets API. */
export interface DroppedTarget {
  readonly kind: 'dropped';
  readonly discoveredLabels: Labels;
}

/**
 * A target whose relabeled labels are unusable (no address, a `/` in the address, a bad interval or
 * timeout, an invalid label value). Prometheus logs these and neither scrapes nor lists them.
 */
export interface FailedTarget {
  readonly kind: 'failed';
  /** Prometheus's message, e.g. `no address`. */
  readonly error: string;
  readonly discoveredLabels: Labels;
}

/** What {@link populateTargetLabels} makes of one discovered label set. */
export type PopulateResult = PopulatedTarget | DroppedTarget | FailedTarget;

const HISTOGRAM_LABELS = [
  ['__convert_classic_histograms_to_nhcb__', 'convert classic histograms to nhcb'],
  ['__always_scrape_classic_histograms__', 'always scrape classic histograms'],
  ['__scrape_native_histograms__', 'scrape native histograms'],
] as const;

/**
 * The discovered labels of a target, as Prometheus's `PopulateDiscoveredLabels` builds them: the
 * target's labels, the group's labels it lacks, then — where absent — `job`, `__scrape_interval__`,
 * `__scrape_timeout__`, `__metrics_path__`, `__scheme__`, the three histogram labels, and
 * `__param_<k>` for each job param.
 */
export function discoveredTargetLabels(
  target: Labels,
  options: TargetLabelOptions,
  groupLabels: Labels = Labels.EMPTY,
): Labels {
  // Built by merging sorted arrays rather than through a builder: this runs for every target on every
  // discovery update.
  const base = groupLabels.isEmpty ? target.toFlat() : mergeFirstWins(target.toFlat(), groupLabels.toFlat());
  const extras: [string, string][] = [];
  addDefault(base, extras, 'job', options.jobName);
  addDefault(base, extras, '__scrape_interval__', formatDurationCached(options.scrapeIntervalMs));
  addDefault(base, extras, '__scrape_timeout__', formatDurationCached(options.scrapeTimeoutMs));
  addDefault(base, extras, '__metrics_path__', options.metricsPath);
  addDefault(base, extras, '__scheme__', options.scheme);
  addDefault(
    base,
    extras,
    '__convert_classic_histograms_to_nhcb__',
    String(options.convertClassicHistogramsToNhcb ?? false),
  );
  addDefault(
    base,
    extras,
    '__always_scrape_classic_histograms__',
    String(options.alwaysScrapeClassicHistograms ?? false),
  );
  addDefault(base, extras, '__scrape_native_histograms__', String(options.scrapeNativeHistograms ?? false));
  const params = options.params;
  if (params !== undefined) {
    for (const k of Object.keys(params)) {
      const first = params[k]![0];
      // 3.x keeps a discovered __param_ label; 2.42 overwrote it (prometheus#11029).
      if (first !== undefined) addDefault(base, extras, `__param_${k}`, first);
    }
  }
  if (extras.length === 0) return base === target.toFlat() ? target : Labels.unsafeFromSortedFlat(base);
  extras.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Labels.unsafeFromSortedFlat(mergeFirstWins(base, extras.flat()));
}

/** Queues `name=value` unless the value is empty or `base` already has the name. */
function addDefault(base: readonly string[], extras: [string, string][], name: string, value: string): void {
  if (value !== '' && indexOfName(base, name) < 0) extras.push([name, value]);
}

const durationStrings = new Map<number, string>();

/** `formatDuration`, remembered: a job formats the same two durations for every target. */
function formatDurationCached(ms: number): string {
  let s = durationStrings.get(ms);
  if (s === undefined) {
    s = formatDuration(ms);
    if (durationStrings.size < 1024) durationStrings.set(ms, s);
  }
  return s;
}

/** Merges two sorted flat label arrays; on equal names the first array's label is kept. */
function mergeFirstWins(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const na = a[i]!;
    const nb = b[j]!;
    if (na < nb) {
      out.push(na, a[i + 1]!);
      i += 2;
    } else if (nb < na) {
      out.push(nb, b[j + 1]!);
      j += 2;
    } else {
      out.push(na, a[i + 1]!);
      i += 2;
      j += 2;
    }
  }
  for (; i < a.length; i += 2) out.push(a[i]!, a[i + 1]!);
  for (; j < b.length; j += 2) out.push(b[j]!, b[j + 1]!);
  return out;
}

function indexOfName(flat: readonly string[], name: string): number {
  let lo = 0;
  let hi = (flat.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const n = flat[mid * 2]!;
    if (n === name) return mid * 2;
    if (n < name) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Turns one discovered label set into a target, as Prometheus 3.x's `PopulateLabels` does: builds the
 * discovered labels ({@link discoveredTargetLabels}), applies the job's `relabel_configs`, checks the
 * result, deletes `__meta_*` labels and defaults `instance` to `__address__`. Ports are never added
 * (unlike Prometheus 2.x).
 *
 * @param discovered - the target's own labels (from discovery).
 * @param options - the job's settings.
 * @param rules - the job's compiled `relabel_configs`.
 * @param groupLabels - the labels of the target's group; the target's own labels win.
 */
export function populateTargetLabels(
  discovered: Labels,
  options: TargetLabelOptions,
  rules: CompiledRelabelConfigs,
  groupLabels: Labels = Labels.EMPTY,
): PopulateResult {
  const discoveredLabels = discoveredTargetLabels(discovered, options, groupLabels);
  const b = new RelabelBuilder().reset(discoveredLabels);
  if (!applyRules(b, rules)) return { kind: 'dropped', discoveredLabels };
  const fail = (error: string): FailedTarget => ({ kind: 'failed', error, discoveredLabels });

  const addr = b.get('__address__');
  if (addr === '') return fail('no address');
  if (addr.includes('/')) return fail(`${goQuote(addr)} is not a valid hostname`);

  const interval = b.get('__scrape_interval__');
  let intervalMs: number;
  try {
    intervalMs = parsePrometheusDuration(interval);
  } catch (err) {
    return fail(`error parsing scrape interval: ${(err as Error).message}`);
  }
  if (intervalMs === 0) return fail('scrape interval cannot be 0');
  const timeout = b.get('__scrape_timeout__');
  let timeoutMs: number;
  try {
    timeoutMs = parsePrometheusDuration(timeout);
  } catch (err) {
    return fail(`error parsing scrape timeout: ${(err as Error).message}`);
  }
  if (timeoutMs === 0) return fail('scrape timeout cannot be 0');
  if (timeoutMs > intervalMs) {
    return fail(
      `scrape timeout cannot be greater than scrape interval (${goQuote(timeout)} > ${goQuote(interval)})`,
    );
  }
  for (const [name, desc] of HISTOGRAM_LABELS) {
    const v = b.get(name);
    if (v !== '' && parseGoBool(v) === undefined) {
      return fail(`error parsing ${desc}: strconv.ParseBool: parsing ${goQuote(v)}: invalid syntax`);
    }
  }

  // One pass over the sorted result: drop __meta_*, check values, and slot in a defaulted instance.
  const flat = b.labels().toFlat();
  const out: string[] = [];
  let needInstance = b.get('instance') === '';
  let invalid: string | undefined;
  for (let i = 0; i < flat.length; i += 2) {
    const n = flat[i]!;
    if (n.startsWith('__meta_')) continue;
    if (needInstance && n > 'instance') {
      out.push('instance', addr);
      needInstance = false;
    }
    const v = flat[i + 1]!;
    if (invalid === undefined && !isValidUtf8(v))
      invalid = `invalid label value for ${goQuote(n)}: ${goQuote(v)}`;
    out.push(n, v);
  }
  if (needInstance) out.push('instance', addr);
  const labels = Labels.unsafeFromSortedFlat(out);
  if (invalid !== undefined) return fail(invalid);
  return { kind: 'target', labels, discoveredLabels };
}

/** One entry of {@link targetsFromGroup}'s result: the outcome plus the target's index in the group. */
export type GroupTargetResult = PopulateResult & { readonly index: number };

/**
 * Populates every target of a discovered group, in order, as Prometheus's `TargetsFromGroup` does
 * (group labels fill in what a target lacks). Failed targets carry Prometheus's message, prefixed
 * `instance <i> in group <source>: `.
 */
export function targetsFromGroup(
  group: TargetGroup,
  options: TargetLabelOptions,
  rules: CompiledRelabelConfigs,
): GroupTargetResult[] {
  const groupNames = Object.keys(group.labels);
  return group.targets.map((t, index) => {
    // A group label fills in only names the target does not list at all: an explicitly empty target
    // label still shadows it, as in Prometheus (which tests map membership, not the value).
    const fill: Record<string, string> = {};
    for (const n of groupNames) if (!Object.hasOwn(t, n)) fill[n] = group.labels[n]!;
    const res = populateTargetLabels(Labels.from(t), options, rules, Labels.from(fill));
    if (res.kind === 'failed') {
      return { ...res, error: `instance ${index} in group ${group.source}: ${res.error}`, index };
    }
    return { ...res, index };
  });
}

/**
 * The public labels of a target — those not starting with `__` — which are attached to every sample
 * and shown as `labels` in the targets API (Prometheus's `Target.Labels`).
 */
export function publicTargetLabels(labels: Labels): Labels {
  const flat = labels.toFlat();
  let hidden = false;
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i]!.startsWith('__')) {
      hidden = true;
      break;
    }
  }
  if (!hidden) return labels;
  const out: string[] = [];
  for (let i = 0; i < flat.length; i += 2) if (!flat[i]!.startsWith('__')) out.push(flat[i]!, flat[i + 1]!);
  return Labels.unsafeFromSortedFlat(out);
}

/** Go's `strconv.ParseBool`. */
function parseGoBool(v: string): boolean | undefined {
  switch (v) {
    case '1':
    case 't':
    case 'T':
    case 'true':
    case 'TRUE':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'false':
    case 'FALSE':
    case 'False':
      return false;
  }
  return undefined;
}
