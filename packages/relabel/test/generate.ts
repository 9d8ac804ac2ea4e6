// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${1}` here is a Prometheus replacement template, not JS.
/**
 * Seeded generators of discovered targets and relabel rule chains for the differential test against
 * Prometheus. Everything generated must be accepted by Prometheus 2.42 (legacy label names, its rule
 * validation), and avoid the few places where 2.42 and 3.x are *meant* to differ in ways the comparison
 * cannot normalise (see README, "Prometheus 2.42 vs 3.x").
 */
import { DEFAULT_RELABEL_CONFIG, type RelabelConfig } from '../src/index.js';

/** mulberry32: a tiny deterministic PRNG, so every run generates the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Gen {
  constructor(readonly rand: () => number) {}
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.rand() < p;
  }
  /** An odd label value: unicode, newlines, quotes, separators, sometimes empty. */
  value(): string {
    if (this.chance(0.1)) return '';
    const pieces = [
      'a',
      'foo',
      'Bar',
      'é',
      'ß',
      '日本',
      '😀',
      '\n',
      ' ',
      '"',
      '\\',
      '$1',
      ';',
      ':',
      '=',
      'İ',
      'ΣΑΣ',
      'x-y',
      '1',
    ];
    let s = '';
    const n = 1 + this.int(4);
    for (let i = 0; i < n; i++) s += this.pick(pieces);
    return s;
  }
}

/** One file_sd group: Prometheus's file format (addresses plus shared labels). */
export interface FileSdGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** Discovered groups for one job. */
export function generateGroups(g: Gen, job: number, count: number): FileSdGroup[] {
  const groups: FileSdGroup[] = [];
  for (let i = 0; i < count; i++) {
    const address = g.pick([
      () => `10.${job}.${i}.${1 + g.int(250)}:${9100 + g.int(3)}`,
      () => `10.${job}.${i}.7:80`,
      () => `host-${job}-${i}`, // no port: Prometheus 2.42 adds one
      () => `[fe80::${job}:${i}]:9100`,
      () => `[fe80::${job}:${i}]`,
      () => `hôst-${job}-${i}.example:9100`,
      () => '', // no address
      () => `http://10.${job}.${i}.1/metrics`, // not a valid hostname
    ])();
    const labels: Record<string, string> = {};
    const maybe = (name: string, v: () => string, p = 0.6) => {
      if (g.chance(p)) labels[name] = v();
    };
    maybe('__meta_sd_env', () => g.pick(['prod', 'dev', 'Staging', '']));
    maybe('__meta_sd_name', () => g.value());
    maybe('__meta_sd_label_app', () => g.value());
    maybe('__meta_sd_label_tier', () => g.pick(['web', 'db', 'cache']));
    maybe('__meta_sd_kv', () => `${g.pick(['zone', 'rack', 'Bad-Key', ''])}=${g.value()}`);
    maybe('__meta_sd_port', () => g.pick(['9100', '8080', '', 'x']));
    maybe('__meta_sd_scrape', () => g.pick(['true', 'false', 'TRUE']), 0.8);
    maybe('__meta_sd_phase', () => g.pick(['Running', 'Succeeded', 'Failed', 'Pending']));
    maybe('__meta_sd_tls', () => g.pick(['true', 'false']), 0.3);
    maybe('__meta_sd_path', () => g.pick(['/m', '/metrics/x', 'rel', '/a b']), 0.3);
    maybe('__meta_sd_tmp_x', () => g.value(), 0.3);
    maybe('__meta_sd_interval', () => g.pick(['30s', '2h', '5s', '0s', '1m30s', 'bogus']), 0.15);
    maybe('env', () => g.value(), 0.3);
    maybe('team', () => g.pick(['a', 'b', '']), 0.3);
    maybe('instance', () => g.value(), 0.1);
    maybe('__param_module', () => g.pick(['icmp', 'tcp']), 0.15);
    groups.push({ targets: [address], labels });
  }
  // A group with several targets sharing labels.
  groups.push({
    targets: [`10.${job}.200.1:9100`, `10.${job}.200.2:9100`, ''],
    labels: { __meta_sd_env: 'shared' },
  });
  return groups;
}

const r = (x: Partial<RelabelConfig>): RelabelConfig => ({ ...DEFAULT_RELABEL_CONFIG, ...x });

/** The rule pool: every action, with shapes that exercise the fast paths and RE2. */
function rulePool(g: Gen): (() => RelabelConfig)[] {
  return [
    () => r({ sourceLabels: ['__meta_sd_env'], targetLabel: 'env' }),
    () =>
      r({ sourceLabels: ['__meta_sd_env'], regex: '(prod|dev)', targetLabel: 'stage', replacement: 'is_$1' }),
    // Templated targets get a replacement that is never empty: an empty result is where 2.42 and 3.x differ.
    () =>
      r({
        sourceLabels: ['__meta_sd_kv'],
        regex: '([a-z]+)=(.*)',
        targetLabel: 'kv_$1',
        replacement: 'v_$2',
      }),
    () =>
      r({
        sourceLabels: ['__meta_sd_kv'],
        regex: '([A-Za-z-]*)=(.*)',
        targetLabel: '${1}_kv',
        replacement: '[$2]',
      }),
    () =>
      r({
        sourceLabels: ['__address__', '__meta_sd_port'],
        regex: '(.+?)(?::\\d+)?;(\\d+)',
        targetLabel: '__address__',
        replacement: '$1:$2',
      }),
    () => r({ sourceLabels: ['__meta_sd_scrape'], regex: 'true', action: 'keep' }),
    () => r({ sourceLabels: ['__meta_sd_scrape'], regex: 'false', action: 'drop' }),
    () => r({ sourceLabels: ['__meta_sd_phase'], regex: 'Succeeded|Failed', action: 'drop' }),
    () => r({ sourceLabels: ['__meta_sd_port'], targetLabel: '__tmp_port' }),
    () => r({ sourceLabels: ['__meta_sd_port'], action: 'keepequal', targetLabel: '__tmp_port' }),
    () => r({ sourceLabels: ['__meta_sd_env'], action: 'dropequal', targetLabel: 'team' }),
    () =>
      r({
        sourceLabels: ['__address__'],
        action: 'hashmod',
        modulus: 1 + g.int(4),
        targetLabel: '__tmp_hash',
      }),
    () => r({ sourceLabels: ['__tmp_hash'], regex: '0|1|', action: 'keep' }),
    () => r({ regex: '__meta_sd_label_(.+)', action: 'labelmap' }),
    () => r({ regex: '__meta_sd_label_(.+)', replacement: 'lbl_${1}', action: 'labelmap' }),
    () => r({ regex: '__meta_sd_(.*)', replacement: 'meta_$1', action: 'labelmap' }),
    () => r({ regex: '__meta_sd_tmp.*', action: 'labeldrop' }),
    () => r({ regex: 'env|team', action: 'labeldrop' }),
    () => r({ regex: '__.*|job|instance|env|app|kv_.*|stage|lbl_.*', action: 'labelkeep' }),
    () => r({ sourceLabels: ['__meta_sd_name'], action: 'lowercase', targetLabel: 'name_lc' }),
    () =>
      r({ sourceLabels: ['__meta_sd_name', '__meta_sd_env'], action: 'uppercase', targetLabel: 'name_uc' }),
    () => r({ sourceLabels: ['__meta_sd_name'], regex: '.*o.*', action: 'drop' }),
    () =>
      r({
        sourceLabels: ['__meta_sd_name'],
        regex: '(.*)é(.*)',
        targetLabel: 'accent',
        replacement: '$2|$1',
      }),
    () =>
      r({
        sourceLabels: ['__meta_sd_name'],
        regex: '(.+)',
        targetLabel: 'pitfall',
        replacement: '$1x-${1}y-$$',
      }),
    () =>
      r({ sourceLabels: ['__meta_sd_tls'], regex: 'true', targetLabel: '__scheme__', replacement: 'https' }),
    () => r({ sourceLabels: ['__meta_sd_path'], regex: '(.+)', targetLabel: '__metrics_path__' }),
    () => r({ sourceLabels: ['__meta_sd_label_tier'], targetLabel: '__param_tier' }),
    () =>
      r({
        sourceLabels: ['__meta_sd_env'],
        regex: 'prod',
        targetLabel: 'instance',
        replacement: 'prod-instance',
      }),
    () => r({ sourceLabels: ['__meta_sd_interval'], regex: '(.+)', targetLabel: '__scrape_interval__' }),
    () => r({ sourceLabels: ['__meta_sd_env', '__meta_sd_label_tier'], separator: '/', targetLabel: 'job' }),
    () => r({ targetLabel: 'cluster', replacement: 'dev-eu-1' }),
    () => r({ sourceLabels: ['__meta_sd_name'], regex: '', targetLabel: 'noname', replacement: 'yes' }),
    () => r({ sourceLabels: ['team'], regex: '(?i)A', targetLabel: 'team_a', replacement: 'yes' }),
    () => r({ sourceLabels: ['__meta_sd_name'], regex: '[^\\p{L}]*(\\p{L}+).*', targetLabel: 'first_word' }),
  ];
}

const FILTERS: ReadonlySet<string> = new Set(['keep', 'drop', 'keepequal', 'dropequal']);

/** True when a rule only filters (never changes a label). */
export function isFilter(rule: RelabelConfig): boolean {
  return FILTERS.has(rule.action);
}

/** A chain of 1–8 rules drawn from the pool; with `filtersOnly`, only rules that never change labels. */
export function generateChain(g: Gen, filtersOnly = false): RelabelConfig[] {
  const all = rulePool(g);
  const pool = filtersOnly ? all.filter((f) => isFilter(f())) : all;
  const n = 1 + g.int(8);
  const chain: RelabelConfig[] = [];
  for (let i = 0; i < n; i++) chain.push(g.pick(pool)());
  return chain;
}

/** Prometheus's YAML (snake_case) for a rule, leaving defaults out (2.42 compares some by identity). */
export function toPrometheusRule(rule: RelabelConfig): Record<string, unknown> {
  const d = DEFAULT_RELABEL_CONFIG;
  const out: Record<string, unknown> = { action: rule.action };
  if (rule.sourceLabels.length > 0) out.source_labels = rule.sourceLabels;
  if (rule.separator !== d.separator) out.separator = rule.separator;
  if (rule.regex !== d.regex) out.regex = rule.regex;
  if (rule.modulus !== d.modulus) out.modulus = rule.modulus;
  if (rule.targetLabel !== d.targetLabel) out.target_label = rule.targetLabel;
  if (rule.replacement !== d.replacement) out.replacement = rule.replacement;
  return out;
}
