import type { MetricType } from '@scrapewire/storage';
import { parseGoFloatString } from './float.js';

/** Sample-name suffixes each OpenMetrics type owns (`''` is the bare family name). */
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['', '_count', '_sum', '_created'],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
};

/** One sample as the validator sees it: decoded name and label pairs. */
export interface OmSample {
  readonly name: string;
  /** `[name, value, name, value, …]`, decoded, in written order. */
  readonly labels: readonly string[];
  readonly value: number;
  readonly timestampMs: number | undefined;
  readonly hasExemplar: boolean;
}

interface Family {
  readonly name: string;
  type: MetricType;
  typed: boolean;
  hasHelp: boolean;
  hasUnit: boolean;
  unit: string;
  sawSample: boolean;
  readonly groupsSeen: Set<string>;
  group: string | undefined;
  groupTs: number | undefined;
  // Histogram run state: one run is a group at one timestamp.
  run: HistogramRun | undefined;
}

interface HistogramRun {
  key: string;
  lastLe: number | undefined;
  lastBucketValue: number;
  infValue: number | undefined;
  count: number | undefined;
  hasSum: boolean;
  hasNegativeBucket: boolean;
  hasNegativeGsum: boolean;
}

/**
 * The semantic MUSTs of OpenMetrics 1.0 that are not syntax: metadata placement and repetition, family
 * grouping and name clashes, per-type sample names, labels and values, histogram bucket structure,
 * timestamp order within a group, and where exemplars may appear. Methods return an error message, or
 * `undefined` when all is well, so the parser can attach the position.
 */
export class OmValidator {
  private fam: Family | undefined;
  /** Every sample name a finished family could produce, to catch clashes and interleaving. */
  private readonly reserved = new Set<string>();

  /** A HELP, TYPE or UNIT line for `name`. */
  metadata(kind: 'help' | 'type' | 'unit', name: string, text: string): string | undefined {
    let fam = this.fam;
    if (fam === undefined || fam.name !== name) {
      const err = this.startFamily(name);
      if (err) return err;
      fam = this.fam!;
    } else if (fam.sawSample) {
      return `${kind.toUpperCase()} for ${JSON.stringify(name)} after its samples`;
    }
    switch (kind) {
      case 'help':
        if (fam.hasHelp) return `repeated HELP for ${JSON.stringify(name)}`;
        fam.hasHelp = true;
        return undefined;
      case 'type':
        if (fam.typed) return `repeated TYPE for ${JSON.stringify(name)}`;
        fam.typed = true;
        fam.type = text as MetricType;
        return this.checkUnit(fam);
      case 'unit':
        if (fam.hasUnit) return `repeated UNIT for ${JSON.stringify(name)}`;
        fam.hasUnit = true;
        fam.unit = text;
        if (text !== '' && !(name.length > text.length + 1 && name.endsWith(`_${text}`))) {
          return `unit ${JSON.stringify(text)} not a suffix of metric ${JSON.stringify(name)}`;
        }
        return this.checkUnit(fam);
    }
  }

  private checkUnit(fam: Family): string | undefined {
    if (fam.hasUnit && fam.unit !== '' && (fam.type === 'info' || fam.type === 'stateset')) {
      return `${fam.type} metric ${JSON.stringify(fam.name)} must not have a unit`;
    }
    return undefined;
  }

  private startFamily(name: string): string | undefined {
    const err = this.finishFamily();
    if (err) return err;
    if (this.reserved.has(name))
      return `metric family ${JSON.stringify(name)} clashes with an earlier family or is interleaved`;
    this.fam = {
      name,
      type: 'unknown',
      typed: false,
      hasHelp: false,
      hasUnit: false,
      unit: '',
      sawSample: false,
      groupsSeen: new Set(),
      group: undefined,
      groupTs: undefined,
      run: undefined,
    };
    return undefined;
  }

  /** Closes the current family: final histogram checks and name reservation. */
  finishFamily(): string | undefined {
    const fam = this.fam;
    if (fam === undefined) return undefined;
    this.fam = undefined;
    const err = this.finishRun(fam);
    if (err) return err;
    for (const s of SUFFIXES[fam.type]) {
      const n = fam.name + s;
      if (this.reserved.has(n))
        return `metric family ${JSON.stringify(fam.name)} clashes with an earlier family (${n})`;
    }
    this.reserved.add(fam.name);
    for (const s of SUFFIXES[fam.type]) this.reserved.add(fam.name + s);
    return undefined;
  }

  /** A sample line. */
  sample(s: OmSample): string | undefined {
    let fam = this.fam;
    let suffix = fam === undefined ? undefined : suffixIn(fam, s.name);
    if (suffix === undefined) {
      const err = this.startFamily(s.name);
      if (err) return err;
      fam = this.fam!;
      suffix = '';
    }
    fam = fam!;
    fam.sawSample = true;
    const t = fam.type;
    const q = JSON.stringify(s.name);

    // Duplicate label names and the label that splits a family into groups.
    let special: string | undefined;
    if (s.name === fam.name && t === 'summary') special = 'quantile';
    else if (suffix === '_bucket') special = 'le';
    else if (t === 'stateset') special = fam.name;
    let specialValue: string | undefined;
    const parts: string[] = [];
    const lb = s.labels;
    for (let i = 0; i < lb.length; i += 2) {
      for (let j = 0; j < i; j += 2)
        if (lb[j] === lb[i]) return `duplicate label name ${JSON.stringify(lb[i])}`;
      if (lb[i] === special) specialValue = lb[i + 1];
      else parts.push(`${lb[i]}\u0000${lb[i + 1]}`);
    }
    if (parts.length > 1) parts.sort();
    const group = parts.join('\u0001');

    if (s.hasExemplar) {
      const ok =
        (t === 'counter' && suffix === '_total') ||
        ((t === 'histogram' || t === 'gaugehistogram') && suffix === '_bucket');
      if (!ok) return `exemplar not allowed on ${q} of type ${t}`;
    }

    const v = s.value;
    switch (t) {
      case 'counter':
        if (suffix === '_total' && (Number.isNaN(v) || v < 0))
          return `counter ${q} must not be negative or NaN`;
        break;
      case 'histogram':
      case 'gaugehistogram':
        if (suffix === '_bucket') {
          if (specialValue === undefined) return `bucket ${q} has no "le" label`;
          const le = parseGoFloatString(specialValue);
          if (le === undefined || Number.isNaN(le) || !canonicalInf(le, specialValue)) {
            return `invalid "le" label value ${JSON.stringify(specialValue)}`;
          }
          if (Number.isNaN(v) || v < 0) return `bucket ${q} must not be negative or NaN`;
        } else if (suffix === '_count' || suffix === '_gcount') {
          if (Number.isNaN(v) || v < 0) return `${q} must not be negative or NaN`;
        } else if (suffix === '_sum') {
          if (Number.isNaN(v) || v < 0) return `${q} must not be negative or NaN`;
        } else if (suffix === '_gsum') {
          if (Number.isNaN(v)) return `${q} must not be NaN`;
        }
        break;
      case 'summary':
        if (suffix === '') {
          if (specialValue === undefined) return `summary sample ${q} has no "quantile" label`;
          const qv = parseGoFloatString(specialValue);
          if (qv === undefined || Number.isNaN(qv) || qv < 0 || qv > 1 || !canonicalInf(qv, specialValue)) {
            return `invalid "quantile" label value ${JSON.stringify(specialValue)}`;
          }
          if (v < 0) return `quantile value of ${q} must not be negative`;
        } else if (suffix === '_count' || suffix === '_sum') {
          if (Number.isNaN(v) || v < 0) return `${q} must not be negative or NaN`;
        }
        break;
      case 'stateset':
        if (specialValue === undefined) return `stateset sample ${q} has no label named after the family`;
        if (v !== 0 && v !== 1) return `stateset value of ${q} must be 0 or 1`;
        break;
      case 'info':
        if (v !== 1) return `info value of ${q} must be 1`;
        break;
      default:
        break;
    }

    // Grouping: a group (labels minus le/quantile/state) must not come back once another has started,
    // and within a group timestamps are all present or all absent and never go backwards.
    const ts = s.timestampMs;
    if (fam.group !== group) {
      if (fam.groupsSeen.has(group)) return `samples of ${JSON.stringify(fam.name)} are not grouped together`;
      fam.groupsSeen.add(group);
      fam.group = group;
    } else {
      if ((ts === undefined) !== (fam.groupTs === undefined)) {
        return `mix of samples with and without timestamps in ${JSON.stringify(fam.name)}`;
      }
      if (ts !== undefined && fam.groupTs !== undefined && ts < fam.groupTs && t !== 'info') {
        return `timestamps went backwards in ${JSON.stringify(fam.name)}`;
      }
    }
    fam.groupTs = ts;

    if (t === 'histogram' || t === 'gaugehistogram') {
      const key = `${group}\u0002${ts ?? ''}`;
      if (fam.run === undefined || fam.run.key !== key) {
        const err = this.finishRun(fam);
        if (err) return err;
        fam.run = {
          key,
          lastLe: undefined,
          lastBucketValue: 0,
          infValue: undefined,
          count: undefined,
          hasSum: false,
          hasNegativeBucket: false,
          hasNegativeGsum: false,
        };
      }
      const run = fam.run;
      if (suffix === '_bucket') {
        const le = parseGoFloatString(specialValue!)!;
        if (run.lastLe !== undefined && le <= run.lastLe)
          return `buckets of ${JSON.stringify(fam.name)} out of order`;
        if (v < run.lastBucketValue) return `bucket values of ${JSON.stringify(fam.name)} decrease`;
        if (le < 0) run.hasNegativeBucket = true;
        run.lastLe = le;
        run.lastBucketValue = v;
        if (le === Number.POSITIVE_INFINITY) run.infValue = v;
      } else if (suffix === '_count' || suffix === '_gcount') {
        run.count = v;
      } else if (suffix === '_sum' || suffix === '_gsum') {
        run.hasSum = true;
        if (v < 0) run.hasNegativeGsum = true;
      }
    }
    return undefined;
  }

  private finishRun(fam: Family): string | undefined {
    const run = fam.run;
    fam.run = undefined;
    if (run === undefined) return undefined;
    const n = JSON.stringify(fam.name);
    const gauge = fam.type === 'gaugehistogram';
    if (run.infValue === undefined || run.lastLe !== Number.POSITIVE_INFINITY)
      return `histogram ${n} has no +Inf bucket`;
    if (run.count !== undefined && run.count !== run.infValue)
      return `count of ${n} does not match its +Inf bucket`;
    if (run.hasSum && run.count === undefined)
      return `${n} has a ${gauge ? '_gsum' : '_sum'} but no ${gauge ? '_gcount' : '_count'}`;
    if (!run.hasSum && run.count !== undefined)
      return `${n} has a ${gauge ? '_gcount' : '_count'} but no ${gauge ? '_gsum' : '_sum'}`;
    if (!gauge && run.hasSum && run.hasNegativeBucket)
      return `histogram ${n} has negative buckets and a _sum`;
    if (gauge && run.hasNegativeGsum && !run.hasNegativeBucket)
      return `${n} has a negative _gsum without negative buckets`;
    return undefined;
  }
}

function suffixIn(fam: Family, name: string): string | undefined {
  if (!name.startsWith(fam.name)) return undefined;
  const rest = name.slice(fam.name.length);
  return SUFFIXES[fam.type].includes(rest) ? rest : undefined;
}

/** Infinite `le`/`quantile` values must be written `+Inf`/`-Inf` exactly. */
function canonicalInf(f: number, text: string): boolean {
  if (f === Number.POSITIVE_INFINITY) return text === '+Inf';
  if (f === Number.NEGATIVE_INFINITY) return text === '-Inf';
  return true;
}
