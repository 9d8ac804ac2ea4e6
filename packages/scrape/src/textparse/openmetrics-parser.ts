import type { Exemplar, MetricType } from '@scrapewire/storage';
import {
  BaseParser,
  BRACE_CLOSE,
  BRACE_OPEN,
  COMMA,
  EQUAL,
  HASH,
  isLabelNameChar,
  isLabelNameStart,
  isMetricNameChar,
  isMetricNameStart,
  NEWLINE,
  QUOTE,
  SPACE,
} from './base-parser.js';
import { floatError, parseGoFloat } from './float.js';
import { OmValidator } from './om-validator.js';
import { EntryKind, type ExpositionParser } from './parser.js';

const OM_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'unknown',
]);

/** Most code points an exemplar's label names and values may have together. */
const EXEMPLAR_MAX_RUNES = 128;

/**
 * OpenMetrics 1.0 text, strict: single spaces between fields, no blank lines or free comments, `# EOF`
 * last, and every semantic MUST of the specification (see {@link OmValidator}). Timestamps are float
 * seconds and are converted to milliseconds by truncation, as Prometheus does. As an extension it takes
 * the quoted UTF-8 metric and label names that Prometheus 3 accepts.
 */
export class OpenMetricsParser extends BaseParser {
  private readonly validator = new OmValidator();
  private done = false;
  private readonly eOffs: number[] = [];
  private hasExemplar = false;
  private exemplarValue = 0;
  private exemplarTs: number | undefined;
  private exemplarAt = 0;

  next(): EntryKind {
    if (this.done) return EntryKind.End;
    const b = this.b;
    const p = this.pos;
    if (p >= b.length) throw this.fail(p, 'data does not end with # EOF');
    const c = b[p]!;
    this.entryStart = p;
    if (c === HASH) return this.parseHashLine(p);
    if (isMetricNameStart(c) || c === BRACE_OPEN) return this.parseSeries(p);
    if (c === NEWLINE) throw this.fail(p, 'unexpected blank line');
    throw this.fail(p, `expected a valid start token, got ${this.excerpt(p)}`);
  }

  /** The newline ending the line at `p`; a line without one cannot be followed by `# EOF`. */
  private requireLineEnd(p: number): number {
    const e = this.b.indexOf(NEWLINE, p);
    if (e < 0) throw this.fail(this.b.length, 'data does not end with # EOF');
    return e;
  }

  private parseHashLine(p: number): EntryKind {
    const b = this.b;
    if (b[p + 1] !== SPACE)
      throw this.fail(p, `expected "# HELP", "# TYPE", "# UNIT" or "# EOF", got ${this.excerpt(p)}`);
    const k = p + 2;
    if (b[k] === 0x45 && b[k + 1] === 0x4f && b[k + 2] === 0x46) {
      let q = k + 3;
      if (q < b.length && b[q] === NEWLINE) q++;
      if (q === k + 3 && q < b.length) throw this.fail(k, `expected "# EOF", got ${this.excerpt(p)}`);
      if (q !== b.length) throw this.fail(q, 'unexpected data after # EOF');
      this.check(this.validator.finishFamily(), p);
      this.done = true;
      this.pos = b.length;
      return EntryKind.End;
    }
    let kind: EntryKind;
    if (b[k] === 0x48 && b[k + 1] === 0x45 && b[k + 2] === 0x4c && b[k + 3] === 0x50) kind = EntryKind.Help;
    else if (b[k] === 0x54 && b[k + 1] === 0x59 && b[k + 2] === 0x50 && b[k + 3] === 0x45)
      kind = EntryKind.Type;
    else if (b[k] === 0x55 && b[k + 1] === 0x4e && b[k + 2] === 0x49 && b[k + 3] === 0x54)
      kind = EntryKind.Unit;
    else throw this.fail(p, `expected "# HELP", "# TYPE", "# UNIT" or "# EOF", got ${this.excerpt(p)}`);
    const what = kind === EntryKind.Help ? 'HELP' : kind === EntryKind.Type ? 'TYPE' : 'UNIT';
    if (b[k + 4] !== SPACE) throw this.fail(k + 4, `expected a space after ${what}`);
    const eol = this.requireLineEnd(k);
    let n = k + 5;
    if (n < eol && b[n] === QUOTE) {
      const e = this.scanQuoted(n, 'metric name');
      this.metaNameStart = n + 1;
      this.metaNameEnd = e - 1;
      n = e;
    } else if (n < eol && isMetricNameStart(b[n]!)) {
      this.metaNameStart = n;
      while (n < eol && isMetricNameChar(b[n]!)) n++;
      this.metaNameEnd = n;
    } else {
      throw this.fail(n, `expected metric name after ${what}, got ${this.excerpt(n)}`);
    }
    if (n >= eol || b[n] !== SPACE)
      throw this.fail(n, `expected a space and text after the metric name in ${what}`);
    const ts = n + 1;
    this.pos = eol + 1;
    const name = this.decode(this.metaNameStart, this.metaNameEnd);
    if (kind === EntryKind.Type) {
      const word = b.toString('latin1', ts, eol);
      if (!OM_TYPES.has(word))
        throw this.fail(ts, `invalid metric type ${JSON.stringify(b.toString('utf8', ts, eol))}`);
      this.metaType = word as MetricType;
      this.mtype = this.metaType;
      this.check(this.validator.metadata('type', name, word), p);
      return EntryKind.Type;
    }
    if (!this.isUtf8Range(ts, eol)) throw this.fail(ts, `${what} text is not valid UTF-8`);
    this.metaTextStart = ts;
    this.metaTextEnd = eol;
    if (kind === EntryKind.Unit) {
      this.check(this.validator.metadata('unit', name, b.toString('utf8', ts, eol)), p);
      return EntryKind.Unit;
    }
    this.check(this.validator.metadata('help', name, ''), p);
    return EntryKind.Help;
  }

  private check(err: string | undefined, at: number): void {
    if (err !== undefined) throw this.fail(at, err);
  }

  private parseSeries(start: number): EntryKind {
    const b = this.b;
    const len = b.length;
    const offs = this.offs;
    offs.length = 0;
    this.seriesStart = start;
    let p = start;
    if (b[p] !== BRACE_OPEN) {
      p++;
      while (p < len && isMetricNameChar(b[p]!)) p++;
      offs.push(start, p);
      if (p < len && b[p] === BRACE_OPEN) p = this.parseLabels(p + 1, offs, false);
    } else {
      offs.push(-1, -1);
      p = this.parseLabels(p + 1, offs, false);
      if (offs[0] === -1) throw this.fail(start, 'metric name not set');
    }
    this.seriesEnd = p;
    this.nOffs = offs.length;

    if (p >= len || b[p] !== SPACE)
      throw this.fail(p, `expected a space and a value after the metric, got ${this.excerpt(p)}`);
    p++;
    let e = this.token(p);
    if (e === p) throw this.fail(p, 'expected a value');
    const v = parseGoFloat(b, p, e);
    if (v === undefined) throw this.fail(p, floatError);
    this.val = v;
    p = e;

    this.hasTs = false;
    this.hasExemplar = false;
    if (p < len && b[p] === SPACE && b[p + 1] !== HASH) {
      p++;
      e = this.token(p);
      if (e === p) throw this.fail(p, 'expected a timestamp');
      this.ts = this.parseSeconds(p, e, 'timestamp');
      this.hasTs = true;
      p = e;
    }
    if (p < len && b[p] === SPACE) p = this.parseExemplar(p + 1);
    if (p >= len) throw this.fail(p, 'data does not end with # EOF');
    if (b[p] !== NEWLINE) throw this.fail(p, `expected end of line, got ${this.excerpt(p)}`);
    this.pos = p + 1;

    this.check(
      this.validator.sample({
        name: this.metricName(),
        labels: this.decodedPairs(offs, 2),
        value: v,
        timestampMs: this.hasTs ? this.ts : undefined,
        hasExemplar: this.hasExemplar,
      }),
      start,
    );
    return EntryKind.Series;
  }

  /** End of a token of non-space, non-newline bytes starting at `p`. */
  private token(p: number): number {
    const b = this.b;
    while (p < b.length && b[p] !== SPACE && b[p] !== NEWLINE) p++;
    return p;
  }

  /** Float seconds → integer milliseconds (truncated), rejecting NaN and infinities. */
  private parseSeconds(s: number, e: number, what: string): number {
    const f = parseGoFloat(this.b, s, e);
    if (f === undefined) throw this.fail(s, floatError);
    if (!Number.isFinite(f)) throw this.fail(s, `invalid ${what} ${this.b.toString('latin1', s, e)}`);
    return Math.trunc(f * 1000);
  }

  /** ` # {labels} value [timestamp]` after the sample, starting at `#`. */
  private parseExemplar(p: number): number {
    const b = this.b;
    if (b[p] !== HASH || b[p + 1] !== SPACE || b[p + 2] !== BRACE_OPEN) {
      throw this.fail(p, `expected "# {" to start an exemplar, got ${this.excerpt(p)}`);
    }
    this.exemplarAt = p;
    const eOffs = this.eOffs;
    eOffs.length = 0;
    p = this.parseLabels(p + 3, eOffs, true);
    let runes = 0;
    const pairs = this.decodedPairs(eOffs, 0);
    for (const s of pairs) for (const _ of s) runes++;
    if (runes > EXEMPLAR_MAX_RUNES)
      throw this.fail(
        this.exemplarAt,
        `exemplar labels have ${runes} code points, more than ${EXEMPLAR_MAX_RUNES}`,
      );
    for (let i = 0; i < pairs.length; i += 2) {
      for (let j = 0; j < i; j += 2) {
        if (pairs[i] === pairs[j])
          throw this.fail(this.exemplarAt, `duplicate exemplar label name ${JSON.stringify(pairs[i])}`);
      }
    }
    if (b[p] !== SPACE) throw this.fail(p, 'expected a space and a value after the exemplar labels');
    p++;
    let e = this.token(p);
    if (e === p) throw this.fail(p, 'expected an exemplar value');
    const v = parseGoFloat(b, p, e);
    if (v === undefined) throw this.fail(p, floatError);
    this.exemplarValue = v;
    this.exemplarTs = undefined;
    p = e;
    if (p < b.length && b[p] === SPACE) {
      p++;
      e = this.token(p);
      if (e === p) throw this.fail(p, 'expected an exemplar timestamp');
      this.exemplarTs = this.parseSeconds(p, e, 'exemplar timestamp');
      p = e;
    }
    this.hasExemplar = true;
    return p;
  }

  private decodedPairs(offs: readonly number[], from: number): string[] {
    const out: string[] = [];
    for (let i = from; i < offs.length; i += 4) {
      out.push(this.decode(offs[i]!, offs[i + 1]!), this.decode(offs[i + 2]!, offs[i + 3]!));
    }
    return out;
  }

  /**
   * Strict label set after `{`: `name="value"` pairs separated by single commas, no blanks, no trailing
   * comma. In a series (not an exemplar) a lone quoted string is the metric name. Returns the offset after `}`.
   */
  private parseLabels(p: number, offs: number[], exemplar: boolean): number {
    const b = this.b;
    const len = b.length;
    if (p < len && b[p] === BRACE_CLOSE) return p + 1;
    for (;;) {
      if (p >= len) throw this.fail(p, 'expected label name, got end of input');
      let c = b[p]!;
      let ns = p;
      let ne: number;
      let quoted = false;
      if (isLabelNameStart(c)) {
        ne = p + 1;
        while (ne < len && isLabelNameChar(b[ne]!)) ne++;
        p = ne;
      } else if (c === QUOTE && !exemplar) {
        p = this.scanLine(p, 'label name');
        ns++;
        ne = p - 1;
        quoted = true;
      } else {
        throw this.fail(p, `expected label name, got ${this.excerpt(p)}`);
      }
      c = p < len ? b[p]! : NEWLINE;
      if (quoted && (c === COMMA || c === BRACE_CLOSE)) {
        if (offs[0] !== -1) throw this.fail(ns - 1, 'metric name already set');
        offs[0] = ns;
        offs[1] = ne;
      } else {
        if (c !== EQUAL) throw this.fail(p, `expected equal, got ${this.excerpt(p)}`);
        p++;
        if (p >= len || b[p] !== QUOTE) throw this.fail(p, `expected label value, got ${this.excerpt(p)}`);
        const vs = p + 1;
        p = this.scanLine(p, 'label value');
        offs.push(ns, ne, vs, p - 1);
        c = p < len ? b[p]! : NEWLINE;
      }
      if (c === BRACE_CLOSE) return p + 1;
      if (c !== COMMA) throw this.fail(p, `expected comma or brace close, got ${this.excerpt(p)}`);
      p++;
      if (p < len && b[p] === BRACE_CLOSE) throw this.fail(p, 'trailing comma in label set');
    }
  }

  /** A quoted string that must not contain a raw newline. */
  private scanLine(p: number, what: string): number {
    const e = this.scanQuoted(p, what);
    if (this.quotedNewline) throw this.fail(p, `newline in ${what}`);
    return e;
  }

  override exemplar(): Exemplar | undefined {
    if (!this.hasExemplar) return undefined;
    const labels = this.buildLabels(this.eOffs, this.eOffs.length, this.exemplarAt, false, 0);
    return this.exemplarTs === undefined
      ? { labels, value: this.exemplarValue }
      : { labels, value: this.exemplarValue, timestampMs: this.exemplarTs };
  }
}

/** Creates a strict pull parser for OpenMetrics 1.0 text (also used for 0.0.1). */
export function createOpenMetricsParser(body: Uint8Array): ExpositionParser {
  return new OpenMetricsParser(body);
}
