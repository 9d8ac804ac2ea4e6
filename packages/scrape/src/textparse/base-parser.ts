import { isUtf8 } from 'node:buffer';
import { Labels } from '@scrapewire/model';
import type { Exemplar, MetricType } from '@scrapewire/storage';
import { formatOpenMetricsFloat, parseGoFloatString } from './float.js';
import { type ParseError, parseErrorAt } from './parse-error.js';
import type { EntryKind, ExpositionParser } from './parser.js';

// Bytes of the exposition grammars, as plain constants so the hot loops compare small integers.
export const TAB = 0x09;
export const NEWLINE = 0x0a;
export const SPACE = 0x20;
export const QUOTE = 0x22;
export const HASH = 0x23;
export const COMMA = 0x2c;
export const EQUAL = 0x3d;
export const BACKSLASH = 0x5c;
export const BRACE_OPEN = 0x7b;
export const BRACE_CLOSE = 0x7d;

// One lookup per byte instead of a chain of range comparisons on the hot path.
const METRIC_START = 1;
const METRIC_CHAR = 2;
const LABEL_START = 4;
const LABEL_CHAR = 8;
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
  const digit = c >= 0x30 && c <= 0x39;
  CLASS[c] =
    (letter || c === 0x3a ? METRIC_START | METRIC_CHAR : 0) |
    (digit ? METRIC_CHAR | LABEL_CHAR : 0) |
    (letter ? LABEL_START | LABEL_CHAR : 0);
}

/** `[a-zA-Z_:]`: first byte of a metric name. */
export function isMetricNameStart(c: number): boolean {
  return (CLASS[c]! & METRIC_START) !== 0;
}

/** `[a-zA-Z0-9_:]`. */
export function isMetricNameChar(c: number): boolean {
  return (CLASS[c]! & METRIC_CHAR) !== 0;
}

/** `[a-zA-Z_]`: first byte of a label name. */
export function isLabelNameStart(c: number): boolean {
  return (CLASS[c]! & LABEL_START) !== 0;
}

/** `[a-zA-Z0-9_]`. */
export function isLabelNameChar(c: number): boolean {
  return (CLASS[c]! & LABEL_CHAR) !== 0;
}

/** Longest string, in bytes, that {@link BaseParser.decode} interns. */
const INTERN_MAX = 32;
/** Size of the intern table (a power of two); a slot holds the last string that hashed to it. */
const INTERN_SLOTS = 4096;
const INTERNED: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);

/**
 * State and accessors shared by the text and OpenMetrics parsers. A series is described by offsets into the
 * body (no strings are made while scanning): `offs = [nameStart, nameEnd, (labelNameStart, labelNameEnd,
 * valueStart, valueEnd)*]`, quotes excluded. Strings are decoded only when an accessor asks for them.
 */
export abstract class BaseParser implements ExpositionParser {
  protected readonly b: Buffer;
  protected pos = 0;
  /** Where the current entry starts; see {@link entryOffset}. */
  protected entryStart = 0;
  /** Byte offsets of the current series text (name and labels) in the body. */
  protected seriesStart = 0;
  protected seriesEnd = 0;
  protected readonly offs: number[] = [];
  /** How many entries of {@link offs} describe the current series (the array is reused, never shrunk). */
  protected nOffs = 0;
  protected val = 0;
  protected ts = 0;
  protected hasTs = false;
  /** The type of the last TYPE line, which decides whether `le` and `quantile` values are normalised. */
  protected mtype: MetricType = 'unknown';
  /** Name of the current HELP/TYPE/UNIT entry and its text (help text unescaped, type and unit as is). */
  protected metaNameStart = 0;
  protected metaNameEnd = 0;
  /** Byte range of the current HELP/UNIT text or comment, decoded only when asked for. */
  protected metaTextStart = 0;
  protected metaTextEnd = 0;
  /** Whether HELP text resolves `\"` too (OpenMetrics) or only `\\` and `\n` (Prometheus text). */
  protected helpEscapesQuote = true;
  /** Whether the whole body is valid UTF-8, once known (see {@link isUtf8Range}). */
  protected utf8Body: boolean | undefined;
  protected metaType: MetricType = 'unknown';
  /** Whether the last {@link scanQuoted} string held a raw newline (allowed in text, not in OpenMetrics). */
  protected quotedNewline = false;

  constructor(body: Uint8Array) {
    this.b = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }

  abstract next(): EntryKind;

  /** A ParseError at byte offset `pos`. */
  protected fail(pos: number, reason: string): ParseError {
    return parseErrorAt(this.b, pos, reason);
  }

  /** A short printable excerpt of the body at `pos`, for error messages. */
  protected excerpt(pos: number): string {
    if (pos >= this.b.length) return 'end of input';
    let e = pos;
    while (e < this.b.length && e - pos < 20 && this.b[e] !== NEWLINE) e++;
    if (e === pos) return '"\\n"';
    return JSON.stringify(this.b.toString('utf8', pos, e));
  }

  /** Skips spaces and tabs. */
  protected skipBlanks(p: number): number {
    const b = this.b;
    while (p < b.length && (b[p] === SPACE || b[p] === TAB)) p++;
    return p;
  }

  /**
   * Scans a quoted string starting at the opening quote (`"(\\.|[^\\"])*"`, where `.` is any byte but a
   * newline). Returns the offset after the closing quote, or -1 when it is not terminated. Checks that
   * the content is UTF-8 when it has any non-ASCII byte.
   */
  protected scanQuoted(p: number, what: string): number {
    const b = this.b;
    const start = p;
    let high = 0;
    this.quotedNewline = false;
    p++;
    for (;;) {
      if (p >= b.length) throw this.fail(start, `unterminated ${what}`);
      const c = b[p]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        if (p + 1 >= b.length || b[p + 1] === NEWLINE) throw this.fail(p, `invalid escape in ${what}`);
        p += 2;
        continue;
      }
      if (c === NEWLINE) this.quotedNewline = true;
      high |= c;
      p++;
    }
    if (high & 0x80 && !this.isUtf8Range(start + 1, p)) throw this.fail(start, `invalid UTF-8 in ${what}`);
    return p + 1;
  }

  /** Decodes `b[s:e]` as UTF-8, resolving the escapes `\\`, `\"` and `\n` (others stay as written). */
  protected decode(s: number, e: number): string {
    const b = this.b;
    const n = e - s;
    // Short ASCII strings (label names, most values) come from a small shared cache: exporters repeat
    // them on every line and every scrape, so this saves most string allocations of labels().
    if (n <= INTERN_MAX) {
      let h = n;
      let plain = true;
      for (let i = s; i < e; i++) {
        const c = b[i]!;
        if (c >= 0x80 || c === BACKSLASH) {
          plain = false;
          break;
        }
        h = (Math.imul(h, 31) + c) | 0;
      }
      if (plain) {
        const slot = h & (INTERN_SLOTS - 1);
        const cached = INTERNED[slot];
        if (cached !== undefined && cached.length === n) {
          let same = true;
          for (let i = 0; i < n; i++) {
            if (cached.charCodeAt(i) !== b[s + i]) {
              same = false;
              break;
            }
          }
          if (same) return cached;
        }
        const str = (b as unknown as FastSlices).latin1Slice(s, e);
        INTERNED[slot] = str;
        return str;
      }
    }
    // Scan only [s, e): Buffer#indexOf has no end bound and would run to the end of the body.
    let high = 0;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c === BACKSLASH) return unescapeLabelValue(b.toString('utf8', s, e));
      high |= c;
    }
    // ASCII decodes faster as latin1; both are Node's direct slice decoders.
    const fast = b as unknown as FastSlices;
    return high < 0x80 ? fast.latin1Slice(s, e) : fast.utf8Slice(s, e);
  }

  /**
   * Whether `b[s:e]` is valid UTF-8. The whole body is checked once (natively) first; only a body that is
   * not valid UTF-8 as a whole needs range checks.
   */
  protected isUtf8Range(s: number, e: number): boolean {
    if (this.utf8Body === undefined) this.utf8Body = isUtf8(this.b);
    return this.utf8Body || isUtf8(this.b.subarray(s, e));
  }

  /** Parses decimal digits `b[s:e]` as an int64; larger values are an error, as in Go's `ParseInt`. */
  protected parseInt64(s: number, e: number): number {
    const b = this.b;
    let i = s;
    while (i < e - 1 && b[i] === 0x30) i++;
    const n = e - i;
    if (n > 19 || (n === 19 && b.toString('latin1', i, e) > '9223372036854775807')) {
      throw this.fail(s, `strconv.ParseInt: parsing "${b.toString('latin1', s, e)}": value out of range`);
    }
    let v = 0;
    for (; i < e; i++) v = v * 10 + (b[i]! - 0x30);
    return v;
  }

  entryOffset(): number {
    return this.entryStart;
  }

  seriesBytes(): Uint8Array {
    return this.b.subarray(this.seriesStart, this.seriesEnd);
  }

  seriesKey(): string {
    return (this.b as unknown as FastSlices).latin1Slice(this.seriesStart, this.seriesEnd);
  }

  value(): number {
    return this.val;
  }

  timestampMs(): number | undefined {
    return this.hasTs ? this.ts : undefined;
  }

  metricName(): string {
    return this.decode(this.offs[0]!, this.offs[1]!);
  }

  labels(): Labels {
    return this.buildLabels(this.offs, this.nOffs, this.seriesStart, true);
  }

  /**
   * Builds a sorted label set from offsets. Throws a ParseError for a repeated label name, which a label
   * set cannot hold (Prometheus rejects such series too).
   */
  protected buildLabels(
    offs: readonly number[],
    end: number,
    at: number,
    withName: boolean,
    from = 2,
  ): Labels {
    const flat: string[] = withName ? ['__name__', this.decode(offs[0]!, offs[1]!)] : [];
    const normalise =
      withName && (this.mtype === 'histogram' || this.mtype === 'gaugehistogram' || this.mtype === 'summary');
    for (let i = from; i < end; i += 4) {
      const name = this.decode(offs[i]!, offs[i + 1]!);
      let value = this.decode(offs[i + 2]!, offs[i + 3]!);
      if (normalise) value = normaliseFloatLabel(this.mtype, name, value);
      flat.push(name, value);
    }
    sortPairs(flat);
    for (let j = 2; j < flat.length; j += 2) {
      if (flat[j] === flat[j - 2]) throw this.fail(at, `duplicate label name "${flat[j]}"`);
    }
    // Empty values mean "no label", as in Prometheus.
    let w = 0;
    for (let r = 0; r < flat.length; r += 2) {
      if (flat[r + 1] === '') continue;
      flat[w] = flat[r]!;
      flat[w + 1] = flat[r + 1]!;
      w += 2;
    }
    if (w !== flat.length) flat.length = w;
    return Labels.unsafeFromSortedFlat(flat);
  }

  exemplar(): Exemplar | undefined {
    return undefined;
  }

  createdTimestampMs(): number | undefined {
    return undefined;
  }

  help(): { readonly metricName: string; readonly text: string } {
    const raw = this.b.toString('utf8', this.metaTextStart, this.metaTextEnd);
    const text = !raw.includes('\\')
      ? raw
      : this.helpEscapesQuote
        ? unescapeLabelValue(raw)
        : unescapeTextHelp(raw);
    return { metricName: this.decode(this.metaNameStart, this.metaNameEnd), text };
  }

  type(): { readonly metricName: string; readonly type: MetricType } {
    return { metricName: this.decode(this.metaNameStart, this.metaNameEnd), type: this.metaType };
  }

  unit(): { readonly metricName: string; readonly unit: string } {
    return {
      metricName: this.decode(this.metaNameStart, this.metaNameEnd),
      unit: this.b.toString('utf8', this.metaTextStart, this.metaTextEnd),
    };
  }

  comment(): string {
    return this.b.toString('utf8', this.metaTextStart, this.metaTextEnd);
  }
}

/** Node's undocumented but long-standing direct slice decoders, faster than `toString(encoding, …)`. */
export interface FastSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/**
 * Sorts a flat `[name, value, …]` array by name in place: insertion sort for the usual handful of labels
 * (usually already in order), a comparison sort over pair indexes for large sets so that wide label sets
 * stay O(n log n).
 */
function sortPairs(flat: string[]): void {
  const n = flat.length >> 1;
  if (n <= 16) {
    for (let i = 2; i < flat.length; i += 2) {
      const name = flat[i]!;
      const value = flat[i + 1]!;
      let j = i;
      while (j > 0 && flat[j - 2]! > name) {
        flat[j] = flat[j - 2]!;
        flat[j + 1] = flat[j - 1]!;
        j -= 2;
      }
      flat[j] = name;
      flat[j + 1] = value;
    }
    return;
  }
  const idx = Array.from({ length: n }, (_, i) => i * 2);
  idx.sort((a, b) => (flat[a]! < flat[b]! ? -1 : flat[a]! > flat[b]! ? 1 : a - b));
  const copy = flat.slice();
  idx.forEach((src, k) => {
    flat[k * 2] = copy[src]!;
    flat[k * 2 + 1] = copy[src + 1]!;
  });
}

/** Resolves `\\`, `\"` and `\n` in a label value; any other backslash sequence is kept verbatim. */
export function unescapeLabelValue(s: string): string {
  let out = '';
  let last = 0;
  for (let i = s.indexOf('\\'); i >= 0 && i < s.length - 1; i = s.indexOf('\\', i)) {
    const n = s.charCodeAt(i + 1);
    const rep = n === 0x5c ? '\\' : n === 0x22 ? '"' : n === 0x6e ? '\n' : undefined;
    if (rep === undefined) {
      i += 2;
      continue;
    }
    out += s.slice(last, i) + rep;
    i += 2;
    last = i;
  }
  return out + s.slice(last);
}

/** Resolves only `\\` and `\n`, as Prometheus text HELP lines do (`\"` stays as written). */
export function unescapeTextHelp(s: string): string {
  let out = '';
  let last = 0;
  for (let i = s.indexOf('\\'); i >= 0 && i < s.length - 1; i = s.indexOf('\\', i)) {
    const n = s.charCodeAt(i + 1);
    const rep = n === 0x5c ? '\\' : n === 0x6e ? '\n' : undefined;
    if (rep === undefined) {
      i += 2;
      continue;
    }
    out += s.slice(last, i) + rep;
    i += 2;
    last = i;
  }
  return out + s.slice(last);
}

/**
 * Re-renders `le` of histograms and `quantile` of summaries canonically (`1` → `1.0`), as Prometheus 3
 * does so that series from text, OpenMetrics and protobuf scrapes agree. Unparsable values stay as they are.
 */
export function normaliseFloatLabel(type: MetricType, name: string, value: string): string {
  if (
    ((type === 'histogram' || type === 'gaugehistogram') && name === 'le') ||
    (type === 'summary' && name === 'quantile')
  ) {
    // Bucket bounds and quantiles repeat on every scrape; remember their canonical forms.
    let out = NORMALISED.get(value);
    if (out === undefined) {
      const f = parseGoFloatString(value);
      out = f === undefined ? value : formatOpenMetricsFloat(f);
      if (NORMALISED.size >= 4096) NORMALISED.clear();
      NORMALISED.set(value, out);
    }
    return out;
  }
  return value;
}

/** Canonical forms of recently seen `le`/`quantile` values (bounded; cleared when full). */
const NORMALISED = new Map<string, string>();
