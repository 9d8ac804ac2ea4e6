import {
  createOpenMetricsParser,
  createTextParser,
  EntryKind,
  type ExpositionParser,
  ParseError,
} from '@scrapewire/scrape';
import type { CliIO } from '../main.js';

/** A finding that makes the exposition invalid, with its 1-based line. */
export interface MetricsError {
  readonly line: number;
  readonly reason: string;
}

/** A lint finding in promtool's words, about one metric family. */
export interface MetricsWarning {
  readonly metric: string;
  readonly text: string;
}

/** What {@link checkMetrics} found. The exposition is valid when `errors` is empty. */
export interface MetricsCheckResult {
  readonly errors: MetricsError[];
  readonly warnings: MetricsWarning[];
}

type Format = 'text' | 'openmetrics';

interface Family {
  readonly name: string;
  type: string;
  hasHelp: boolean;
  typeSeen: boolean;
  sampled: boolean;
  readonly labelNames: Set<string>;
}

const TYPE_WORDS = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

// promlint's unit tables: base units (mapped to themselves), other units mapped to their base unit.
const UNITS: Readonly<Record<string, string>> = {
  amperes: 'amperes',
  bytes: 'bytes',
  celsius: 'celsius',
  grams: 'grams',
  joules: 'joules',
  kelvin: 'kelvin',
  meters: 'meters',
  metres: 'metres',
  seconds: 'seconds',
  volts: 'volts',
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  weeks: 'seconds',
  kelvins: 'kelvin',
  fahrenheit: 'celsius',
  rankine: 'celsius',
  inches: 'meters',
  yards: 'meters',
  miles: 'meters',
  bits: 'bytes',
  calories: 'joules',
  pounds: 'grams',
  ounces: 'grams',
};
const UNIT_PREFIXES = [
  'pico',
  'nano',
  'micro',
  'milli',
  'centi',
  'deci',
  'deca',
  'hecto',
  'kilo',
  'kibi',
  'mega',
  'mibi',
  'giga',
  'gibi',
  'tera',
  'tebi',
  'peta',
  'pebi',
];
const UNIT_ABBREVIATIONS = ['s', 'ms', 'us', 'ns', 'sec', 'b', 'kb', 'mb', 'gb', 'tb', 'pb', 'm', 'h', 'd'];
const CAMEL = /[a-z][A-Z]/;

/**
 * Checks an exposition the way `promtool check metrics` does. Errors are what makes the body unusable:
 * everything the scrapewire parser rejects, and for the text format also what promtool's stricter parser
 * rejects although Prometheus's scraper accepts it (repeated HELP or TYPE, TYPE after the family's
 * samples, escapes other than `\\`, `\"` and `\n`, label pairs without commas, non-numeric `le` and
 * `quantile`). Warnings are promtool's lint findings (missing HELP, naming conventions, units).
 */
export function checkMetrics(body: Uint8Array, format: Format): MetricsCheckResult {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const errors: MetricsError[] = [];
  const families = new Map<string, Family>();
  const parser: ExpositionParser = format === 'text' ? createTextParser(buf) : createOpenMetricsParser(buf);

  // Line numbers of entries, counted incrementally from the parser's entry offsets.
  let line = 1;
  let counted = 0;
  const lineOf = (offset: number): number => {
    for (; counted < offset; counted++) if (buf[counted] === 0x0a) line++;
    return line;
  };

  const family = (name: string): Family => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: 'untyped', hasHelp: false, typeSeen: false, sampled: false, labelNames: new Set() };
      families.set(name, f);
    }
    return f;
  };

  try {
    for (let k = parser.next(); k !== EntryKind.End; k = parser.next()) {
      const at = lineOf(parser.entryOffset?.() ?? 0);
      if (k === EntryKind.Help) {
        const h = parser.help();
        const f = family(h.metricName);
        if (f.hasHelp && format === 'text') {
          errors.push({
            line: at,
            reason: `second HELP line for metric name ${JSON.stringify(h.metricName)}`,
          });
        }
        f.hasHelp = true;
        if (format === 'text') {
          const bad = invalidEscape(helpRaw(buf, parser.entryOffset?.() ?? 0), '\\n');
          if (bad) errors.push({ line: at, reason: `invalid escape sequence '${bad}' in HELP text` });
        }
      } else if (k === EntryKind.Type) {
        const t = parser.type();
        const f = family(t.metricName);
        if (format === 'text' && (f.typeSeen || f.sampled)) {
          errors.push({
            line: at,
            reason: `second TYPE line for metric name ${JSON.stringify(t.metricName)}, or TYPE reported after samples`,
          });
        }
        f.typeSeen = true;
        f.type = t.type === 'unknown' ? 'untyped' : t.type;
      } else if (k === EntryKind.Unit) {
        family(parser.unit().metricName);
      } else if (k === EntryKind.Series) {
        const labels = parser.labels();
        const name = labels.get('__name__');
        const f = familyOf(families, name, format) ?? family(name);
        f.sampled = true;
        labels.forEach((n) => {
          if (n !== '__name__') f.labelNames.add(n);
        });
        if (format === 'text') {
          const problem = strictSeriesProblem(parser.seriesBytes());
          if (problem) errors.push({ line: at, reason: problem });
          for (const special of ['le', 'quantile']) {
            const wanted = special === 'le' ? 'histogram' : 'summary';
            if (f.type !== wanted || !labels.has(special)) continue;
            const v = labels.get(special);
            if (!isFloat(v)) {
              errors.push({
                line: at,
                reason: `expected float as value for '${special}' label, got ${JSON.stringify(v)}`,
              });
            }
          }
        }
      }
    }
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    errors.push({ line: err.line, reason: err.reason });
  }
  return { errors, warnings: lint([...families.values()], format) };
}

/** The family a sample belongs to, as promtool's parser groups them. */
function familyOf(families: Map<string, Family>, name: string, format: Format): Family | undefined {
  const own = families.get(name);
  if (own !== undefined && format === 'text') return own;
  for (const suffix of ['_bucket', '_count', '_sum', '_total', '_created', '_info', '_gcount', '_gsum']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f === undefined) continue;
    if (format === 'text') {
      if (
        (f.type === 'histogram' && suffix === '_bucket') ||
        ((f.type === 'histogram' || f.type === 'summary') && (suffix === '_count' || suffix === '_sum'))
      ) {
        return f;
      }
    } else {
      return f;
    }
  }
  return own;
}

/** The raw HELP text of the line at `offset` (after `# HELP name `). */
function helpRaw(buf: Buffer, offset: number): string {
  let end = buf.indexOf(0x0a, offset);
  if (end < 0) end = buf.length;
  const line = buf.toString('utf8', offset, end);
  const m = /^#[ \t]+HELP[ \t]+("(?:\\.|[^\\"])*"|\S+)[ \t]?/.exec(line);
  return m ? line.slice(m[0].length) : '';
}

/** The first backslash sequence in `s` other than `\\` and the allowed ones, e.g. `\q`. */
function invalidEscape(s: string, allowed: string): string | undefined {
  for (let i = s.indexOf('\\'); i >= 0; i = s.indexOf('\\', i + 2)) {
    const seq = s.slice(i, i + 2);
    if (seq !== '\\\\' && !allowed.split(' ').includes(seq)) return seq;
  }
  return undefined;
}

/**
 * What promtool's text parser rejects in a series that Prometheus's accepts: escapes other than `\\`,
 * `\"`, `\n` in label values, and label pairs not separated by a comma.
 */
function strictSeriesProblem(series: Uint8Array): string | undefined {
  const s = Buffer.from(series.buffer, series.byteOffset, series.byteLength).toString('utf8');
  const brace = s.indexOf('{');
  if (brace < 0) return undefined;
  let i = brace + 1;
  let afterValue = false;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\') {
          const seq = s.slice(j, j + 2);
          if (seq !== '\\\\' && seq !== '\\"' && seq !== '\\n') return `invalid escape sequence '${seq}'`;
          j += 2;
        } else j++;
      }
      const quoted = s.slice(i, j + 1);
      i = j + 1;
      // A quoted string followed by `=` is a label name; otherwise it ended a value or was the metric name.
      let k = i;
      while (s[k] === ' ' || s[k] === '\t') k++;
      afterValue = s[k] !== '=';
      if (afterValue && s[k] !== ',' && s[k] !== '}') {
        return `expected ',' or '}' after label value ${quoted}`;
      }
      i = k;
      continue;
    }
    if (c === ',' || c === '}') afterValue = false;
    i++;
  }
  return undefined;
}

function isFloat(s: string): boolean {
  return (
    /^[+-]?(?:inf|infinity)$/i.test(s) ||
    /^nan$/i.test(s) ||
    /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)
  );
}

/** promlint's checks, over families as promtool's parser forms them. */
function lint(families: readonly Family[], format: Format): MetricsWarning[] {
  const out = new Map<string, MetricsWarning>();
  const add = (metric: string, text: string) => out.set(`${metric}\u0000${text}`, { metric, text });
  for (const f of families) {
    const n = f.name;
    if (!f.hasHelp) add(n, 'no help text');
    if (format === 'text') {
      if (f.type === 'counter' && !n.endsWith('_total'))
        add(n, 'counter metrics should have "_total" suffix');
      if (f.type !== 'counter' && f.type !== 'untyped' && n.endsWith('_total')) {
        add(n, 'non-counter metrics should not have "_total" suffix');
      }
    }
    if (f.type !== 'untyped') {
      if (f.type !== 'histogram') {
        if (n.endsWith('_bucket')) add(n, 'non-histogram metrics should not have "_bucket" suffix');
        if (f.labelNames.has('le')) add(n, 'non-histogram metrics should not have "le" label');
      }
      if (f.type !== 'histogram' && f.type !== 'summary') {
        for (const suffix of ['_count', '_sum']) {
          if (n.endsWith(suffix))
            add(n, `non-histogram and non-summary metrics should not have "${suffix}" suffix`);
        }
      }
      if (f.type !== 'summary' && f.labelNames.has('quantile'))
        add(n, 'non-summary metrics should not have "quantile" label');
    }
    const lower = n.toLowerCase();
    for (const t of TYPE_WORDS) {
      if (lower.includes(`_${t}_`) || lower.endsWith(`_${t}`))
        add(n, `metric name should not include type '${t}'`);
    }
    if (CAMEL.test(n)) add(n, "metric names should be written in 'snake_case' not 'camelCase'");
    for (const l of f.labelNames)
      if (CAMEL.test(l)) add(n, "label names should be written in 'snake_case' not 'camelCase'");
    const unit = metricUnit(n);
    if (unit !== undefined && unit[0] !== unit[1])
      add(n, `use base unit "${unit[1]}" instead of "${unit[0]}"`);
    for (const a of UNIT_ABBREVIATIONS) {
      if (lower.includes(`_${a}_`) || lower.endsWith(`_${a}`))
        add(n, 'metric names should not contain abbreviated units');
    }
    if (n.includes(':')) add(n, "metric names should not contain ':'");
  }
  return [...out.values()].sort((a, b) =>
    a.metric === b.metric ? (a.text < b.text ? -1 : 1) : a.metric < b.metric ? -1 : 1,
  );
}

/** The first unit word in a metric name and its base unit, as promlint finds them. */
function metricUnit(name: string): [string, string] | undefined {
  for (const part of name.split('_')) {
    const base = Object.hasOwn(UNITS, part) ? UNITS[part] : undefined;
    if (base !== undefined) return [part, base];
    for (const p of UNIT_PREFIXES) {
      if (!part.startsWith(p)) continue;
      const rest = part.slice(p.length);
      if (Object.hasOwn(UNITS, rest)) return [part, UNITS[rest]!];
    }
  }
  return undefined;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * `scrapewire check metrics [--format text|openmetrics]`: reads an exposition from stdin and reports on
 * stderr what `promtool check metrics` would: `line N: reason` for each error, then the lint findings as
 * `metric_name problem`. Exits 0 when the exposition is valid (lint findings alone do not fail it, unlike
 * promtool's exit code 3), 1 when it is not, 2 for an unknown `--format`.
 */
export async function checkMetricsCommand(opts: { format: string }, io: CliIO): Promise<number> {
  if (opts.format !== 'text' && opts.format !== 'openmetrics') {
    io.stderr.write(
      `check metrics: unknown format ${JSON.stringify(opts.format)} (use text or openmetrics)\n`,
    );
    return 2;
  }
  const body = await readAll(io.stdin);
  const result = checkMetrics(body, opts.format);
  // Like promtool, an invalid exposition gets only its errors; lint findings are for parseable ones.
  for (const e of result.errors) io.stderr.write(`line ${e.line}: ${e.reason}\n`);
  if (result.errors.length > 0) return 1;
  for (const w of result.warnings) io.stderr.write(`${w.metric} ${w.text}\n`);
  return 0;
}
