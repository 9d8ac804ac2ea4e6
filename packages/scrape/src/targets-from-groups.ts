import type { ScrapeConfig } from '@scrapewire/config';
import { formatDuration, type LabelSet, Labels, type TargetGroup } from '@scrapewire/model';
import type { RelabelFn } from './relabel-adapter.js';
import { ScrapeTarget } from './target.js';

/** The result of building one group's targets. */
export interface GroupTargets {
  readonly targets: readonly ScrapeTarget[];
  /** Discovered labels of targets that relabeling dropped. */
  readonly dropped: readonly Labels[];
  /** Targets that could not be built (Prometheus logs these and counts `prometheus_target_sync_failed_total`). */
  readonly failures: readonly string[];
}

const UNITS: Readonly<Record<string, number>> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Parses a Prometheus duration (`1m30s`, `15s`, `0`); `undefined` when invalid. */
export function parseDurationMs(s: string): number | undefined {
  if (s === '0') return 0;
  if (s === '') return undefined;
  const m = DURATION_RE.exec(s);
  if (!m) return undefined;
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let ms = 0;
  for (let i = 0; i < units.length; i++) {
    const v = m[i + 1];
    if (v !== undefined) ms += Number(v) * UNITS[units[i]!]!;
  }
  return ms;
}

/** Encodes a query as Go's `url.Values.Encode`: keys sorted, values in order, `QueryEscape` escaping. */
function encodeQuery(params: ReadonlyMap<string, readonly string[]>): string {
  const esc = (s: string) =>
    encodeURIComponent(s)
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const parts: string[] = [];
  for (const k of [...params.keys()].sort()) {
    for (const v of params.get(k)!) parts.push(`${esc(k)}=${esc(v)}`);
  }
  return parts.join('&');
}

/**
 * The scrape URL of a target (Prometheus's `Target.URL`): `__scheme__://__address____metrics_path__`, with
 * the job's `params` and every `__param_<name>` label replacing the first value of `<name>`.
 */
export function targetScrapeUrl(labels: Labels, params: Readonly<Record<string, readonly string[]>>): string {
  const q = new Map<string, string[]>();
  for (const [k, v] of Object.entries(params)) q.set(k, [...v]);
  labels.forEach((name, value) => {
    if (!name.startsWith('__param_')) return;
    const key = name.slice('__param_'.length);
    const cur = q.get(key);
    if (cur && cur.length > 0) cur[0] = value;
    else q.set(key, [value]);
  });
  const query = encodeQuery(q);
  return `${labels.get('__scheme__')}://${labels.get('__address__')}${labels.get('__metrics_path__')}${query ? `?${query}` : ''}`;
}

function isValidUtf8(s: string): boolean {
  // A lone surrogate is the JavaScript form of invalid UTF-8 from a decoder.
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/**
 * Builds the targets of one target group for a job, following Prometheus's `TargetsFromGroup` /
 * `PopulateLabels` (§2.5 of the reference): merge group labels, add the job's defaults, apply
 * `relabel_configs`, validate the address, interval and timeout, strip `__meta_*`, default `instance`.
 */
export function targetsFromGroup(group: TargetGroup, cfg: ScrapeConfig, relabel: RelabelFn): GroupTargets {
  const targets: ScrapeTarget[] = [];
  const dropped: Labels[] = [];
  const failures: string[] = [];
  const interval = formatDuration(cfg.scrapeIntervalMs);
  const timeout = formatDuration(cfg.scrapeTimeoutMs);
  for (let i = 0; i < group.targets.length; i++) {
    const tl: LabelSet = group.targets[i]!;
    const m = new Map<string, string>();
    for (const [k, v] of Object.entries(group.labels)) m.set(k, v);
    for (const [k, v] of Object.entries(tl)) m.set(k, v);
    const setDefault = (k: string, v: string) => {
      if ((m.get(k) ?? '') === '') m.set(k, v);
    };
    setDefault('job', cfg.jobName);
    setDefault('__scrape_interval__', interval);
    setDefault('__scrape_timeout__', timeout);
    setDefault('__metrics_path__', cfg.metricsPath);
    setDefault('__scheme__', cfg.scheme);
    for (const [k, v] of Object.entries(cfg.params)) {
      if (v.length > 0) setDefault(`__param_${k}`, v[0]!);
    }
    const discovered = Labels.fromMap(m);
    const relabeled = relabel(discovered);
    if (relabeled === undefined || relabeled.isEmpty) {
      dropped.push(discovered);
      continue;
    }
    const addr = relabeled.get('__address__');
    if (addr === '') {
      failures.push(`instance ${i} in group ${group.source}: no address`);
      continue;
    }
    if (addr.includes('/')) {
      failures.push(`instance ${i} in group ${group.source}: ${JSON.stringify(addr)} is not a valid hostname`);
      continue;
    }
    const intervalMs = parseDurationMs(relabeled.get('__scrape_interval__'));
    if (intervalMs === undefined || intervalMs === 0) {
      failures.push(
        `instance ${i} in group ${group.source}: ${intervalMs === 0 ? 'scrape interval cannot be 0' : 'error parsing scrape interval'}`,
      );
      continue;
    }
    const timeoutMs = parseDurationMs(relabeled.get('__scrape_timeout__'));
    if (timeoutMs === undefined || timeoutMs === 0) {
      failures.push(
        `instance ${i} in group ${group.source}: ${timeoutMs === 0 ? 'scrape timeout cannot be 0' : 'error parsing scrape timeout'}`,
      );
      continue;
    }
    if (timeoutMs > intervalMs) {
      failures.push(
        `instance ${i} in group ${group.source}: scrape timeout cannot be greater than scrape interval (${relabeled.get('__scrape_timeout__')} > ${relabeled.get('__scrape_interval__')})`,
      );
      continue;
    }
    const b = relabeled.builder();
    relabeled.forEach((n) => {
      if (n.startsWith('__meta_')) b.del(n);
    });
    if (!b.has('instance')) b.set('instance', addr);
    const final = b.labels();
    let bad = false;
    final.forEach((n, v) => {
      if (!isValidUtf8(v)) {
        bad = true;
        failures.push(`instance ${i} in group ${group.source}: invalid label value for ${JSON.stringify(n)}`);
      }
    });
    if (bad) continue;
    targets.push(
      new ScrapeTarget(cfg.jobName, final, discovered, targetScrapeUrl(final, cfg.params), intervalMs, timeoutMs),
    );
  }
  return { targets, dropped, failures };
}
