import { isUtf8 } from 'node:buffer';
import type { MetricType } from '@scrapewire/storage';
import {
  BaseParser,
  BRACE_CLOSE,
  BRACE_OPEN,
  BACKSLASH,
  COMMA,
  EQUAL,
  type FastSlices,
  HASH,
  isLabelNameChar,
  isLabelNameStart,
  isMetricNameChar,
  isMetricNameStart,
  NEWLINE,
  QUOTE,
  SPACE,
  TAB,
} from './base-parser.js';
import { floatError, POW10, parseGoFloat } from './float.js';
import { EntryKind, type ExpositionParser } from './parser.js';

const TEXT_TYPES: readonly (readonly [string, MetricType])[] = [
  ['counter', 'counter'],
  ['gauge', 'gauge'],
  ['histogram', 'histogram'],
  ['summary', 'summary'],
  ['untyped', 'unknown'],
];

/** The type a TYPE line's text names, compared byte by byte so that no string is made. */
function textType(b: Uint8Array, s: number, e: number): MetricType | undefined {
  next: for (const [word, type] of TEXT_TYPES) {
    if (word.length !== e - s) continue;
    for (let i = 0; i < word.length; i++) if (b[s + i] !== word.charCodeAt(i)) continue next;
    return type;
  }
  return undefined;
}

/** The 4 bytes of `word` at `i` as a little-endian 32-bit word, as DataView#getUint32(…, true) reads them. */
function le32(word: string, i: number): number {
  return (
    (word.charCodeAt(i) |
      (word.charCodeAt(i + 1) << 8) |
      (word.charCodeAt(i + 2) << 16) |
      (word.charCodeAt(i + 3) << 24)) >>>
    0
  );
}

/** A TYPE word with its first, middle (only for words longer than 8) and last 4 bytes, see {@link le32}. */
interface FastType {
  readonly length: number;
  readonly head: number;
  readonly middle: number;
  readonly tail: number;
  readonly type: MetricType;
}

/**
 * The TYPE words of the text format by first byte (which tells them apart), so that the fast path
 * compares a word in two or three 4-byte loads instead of byte by byte.
 */
const FAST_TYPES: readonly (FastType | undefined)[] = (() => {
  const table: (FastType | undefined)[] = new Array(256).fill(undefined);
  for (const [word, type] of TEXT_TYPES) {
    table[word.charCodeAt(0)] = {
      length: word.length,
      head: le32(word, 0),
      middle: word.length > 8 ? le32(word, 4) : 0,
      tail: le32(word, word.length - 4),
      type,
    };
  }
  return table;
})();

// Byte tables for the fast loops: one load and compare per byte (the shared class table also needs a mask).
const NAME_BYTE = new Uint8Array(256);
const LABEL_BYTE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  NAME_BYTE[c] = isMetricNameChar(c) ? 1 : 0;
  LABEL_BYTE[c] = isLabelNameChar(c) ? 1 : 0;
}

/** The bytes that end a label value's fast scan: its closing quote, or an escape or raw newline. */
const VALUE_STOP = new Uint8Array(256);
VALUE_STOP[QUOTE] = 1;
VALUE_STOP[BACKSLASH] = 1;
VALUE_STOP[NEWLINE] = 1;

/**
 * The Prometheus text format 0.0.4 (and 1.0.0's quoted UTF-8 names), accepting exactly what Prometheus's
 * scraper (`model/textparse/promparse.go`) accepts: blanks between any two tokens, blank lines, label sets
 * without commas between pairs and with a trailing comma, a missing final newline, and no checks on the
 * order or repetition of HELP and TYPE lines (those are lint findings; see `scrapewire check metrics`).
 */
export class PromTextParser extends BaseParser {
  protected override helpEscapesQuote = false;

  /**
   * The body as a one-byte string, char i = byte i (latin1; one memcpy per body), made on first use:
   * `seriesKey()`, `metadataLineIs()` and the metadata accessors slice it (O(1) for 13+ chars, no copy).
   * Comparing such a slice with a cached string is a native compare, several times faster than comparing
   * the bytes in a JavaScript loop (measured: the loop cost more CPU than the string's garbage saved).
   * The fast paths read bytes from the Buffer, not with `charCodeAt`: on Node 20 a typed-array loop is
   * about twice as fast.
   */
  #s: string | undefined;
  /**
   * Whether the fast paths may run: only on a body that is valid UTF-8 as a whole, so that they need no
   * per-string UTF-8 checks, and that ends with a newline, which then bounds every fast-path loop (each
   * stops at a newline) so that they need no end-of-body checks. Other bodies take the general path.
   */
  private readonly fast: boolean;
  /** The body as little-endian 32- and 64-bit words at any offset, to compare 4 or 8 bytes in one load. */
  private readonly dv: DataView;
  /** The last metric name the fast paths scanned (all name bytes): see {@link metricNameEnd}. */
  private refName = 0;
  private refNameLen = 0;
  /** End of the current HELP line; its name end is found only if help() is called (see {@link fastMeta}). */
  private helpEol = -1;
  /** Whether the current TYPE line was read by {@link fastMeta} (its name is plain ASCII). */
  private typeFast = false;
  /** End (the newline) of the current metadata line when {@link fastMeta} read it, else -1. */
  private metaLineEnd = -1;

  /** `options.fastPath: false` runs only the general code, for tests that compare both. @internal */
  constructor(body: Uint8Array, options: { readonly fastPath?: boolean } = {}) {
    super(body);
    const b = this.b;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.utf8Body = isUtf8(b);
    this.fast = this.utf8Body && b.length > 0 && b[b.length - 1] === NEWLINE && options.fastPath !== false;
  }

  private get s(): string {
    this.#s ??= (this.b as unknown as FastSlices).latin1Slice(0, this.b.length);
    return this.#s;
  }

  metadataLine(): string | undefined {
    if (this.metaLineEnd < 0) return undefined;
    return (this.b as unknown as FastSlices).latin1Slice(this.entryStart, this.metaLineEnd);
  }

  metadataLineIs(line: string): boolean {
    const end = this.metaLineEnd;
    return end >= 0 && end - this.entryStart === line.length && this.s.slice(this.entryStart, end) === line;
  }

  override seriesKey(): string {
    // Equal to latin1-decoding the series bytes, as the interface promises, without a copy: copying
    // (latin1Slice per series) took about 55 ns per series, more than the rest of the line's parsing.
    // The slice keeps the body string alive while it lives; see the interface on keys kept long-term.
    return this.s.slice(this.seriesStart, this.seriesEnd);
  }

  override help(): { readonly metricName: string; readonly text: string } {
    if (this.helpEol >= 0) {
      // A fast-path HELP line: the name is the run of name bytes, the text starts one byte after it.
      const b = this.b;
      const eol = this.helpEol;
      let p = this.metaNameStart + 1;
      while (p < eol && isMetricNameChar(b[p]!)) p++;
      this.metaNameEnd = p;
      const textStart = p < eol ? p + 1 : eol;
      this.metaTextStart = textStart;
      this.metaTextEnd = eol;
      this.helpEol = -1;
      // Plain ASCII text without escapes reads the same as latin1: slice both strings out of the body
      // string (O(1), no copy) instead of decoding them. Every target sends every HELP line on every
      // scrape, and the scrape loop only compares them with what it has.
      let q = textStart;
      while (q < eol) {
        const c = b[q]!;
        if (c >= 0x80 || c === BACKSLASH) break;
        q++;
      }
      if (q === eol) {
        return { metricName: this.s.slice(this.metaNameStart, p), text: this.s.slice(textStart, eol) };
      }
    }
    return super.help();
  }

  override type(): { readonly metricName: string; readonly type: MetricType } {
    if (this.typeFast) {
      // A fast-path TYPE line: the name is plain ASCII name bytes, so its latin1 slice is the name.
      return { metricName: this.s.slice(this.metaNameStart, this.metaNameEnd), type: this.metaType };
    }
    return super.type();
  }

  next(): EntryKind {
    const b = this.b;
    const len = b.length;
    this.helpEol = -1;
    this.typeFast = false;
    this.metaLineEnd = -1;
    for (;;) {
      let p = this.pos;
      let c = p < len ? b[p]! : NEWLINE;
      while (c === SPACE || c === TAB) c = ++p < len ? b[p]! : NEWLINE;
      if (p >= len) {
        this.pos = p;
        return EntryKind.End;
      }
      if (c === NEWLINE) {
        this.pos = p + 1;
        continue;
      }
      this.entryStart = p;
      if (c === HASH) {
        // The fast paths take the usual shapes of lines and return 0 for anything else, which the
        // general code then parses from the line start, errors included.
        const k = this.fast ? this.fastMeta(p) : 0;
        return k !== 0 ? k : this.parseComment(p);
      }
      if (isMetricNameStart(c)) {
        const k = this.fast ? this.fastSeries(p) : 0;
        return k !== 0 ? k : this.parseSeries(p);
      }
      if (c === BRACE_OPEN) return this.parseSeries(p);
      throw this.fail(p, `expected a valid start token, got ${this.excerpt(p)}`);
    }
  }

  /**
   * `# HELP name text` and `# TYPE name type` with single spaces and a plain name, or 0.
   *
   * A HELP line with a plain name cannot fail past its first name byte (the name is the run of name
   * bytes, the text is everything one byte after it, and the body is valid UTF-8), so only its end is
   * found here, by memchr; scanning the name is left to help(), which the scrape loop calls rarely.
   */
  private fastMeta(hash: number): EntryKind | 0 {
    const b = this.b;
    // Every comparison runs only if the previous byte matched (was not the body's final newline).
    if (b[hash + 1] !== SPACE) return 0;
    let kind: EntryKind;
    const k = b[hash + 2];
    if (k === 0x48 && b[hash + 3] === 0x45 && b[hash + 4] === 0x4c && b[hash + 5] === 0x50) {
      kind = EntryKind.Help;
    } else if (k === 0x54 && b[hash + 3] === 0x59 && b[hash + 4] === 0x50 && b[hash + 5] === 0x45) {
      kind = EntryKind.Type;
    } else return 0;
    const ns = hash + 7;
    if (b[hash + 6] !== SPACE || !isMetricNameStart(b[ns]!)) return 0;
    this.metaNameStart = ns;
    if (kind === EntryKind.Help) {
      // memchr; the fast path only runs on bodies that end with a newline, so there is one.
      const eol = b.indexOf(NEWLINE, ns);
      this.helpEol = eol;
      this.metaLineEnd = eol;
      this.pos = eol + 1;
      return kind;
    }
    let p = this.metricNameEnd(ns);
    if (b[p] !== SPACE) return 0;
    this.metaNameEnd = p;
    p++;
    // Dispatch on the first letter, then compare the one word it can be in 4-byte loads; the word must
    // end the line.
    const w = FAST_TYPES[b[p]!];
    if (w === undefined) return 0;
    const eol = p + w.length;
    const dv = this.dv;
    if (
      eol >= b.length ||
      b[eol] !== NEWLINE ||
      dv.getUint32(p, true) !== w.head ||
      dv.getUint32(eol - 4, true) !== w.tail ||
      (w.length > 8 && dv.getUint32(p + 4, true) !== w.middle)
    ) {
      return 0;
    }
    const type = w.type;
    this.metaType = type;
    this.mtype = type;
    this.typeFast = true;
    this.metaLineEnd = eol;
    this.pos = eol + 1;
    return kind;
  }

  /**
   * The offset after the metric name that starts at `start` (a valid first byte), in a fast path. Names
   * repeat from line to line (a family's TYPE line then its series, `_bucket` after `_bucket`), so the
   * bytes are first compared 8 (then 4) at a time with the last name scanned: a matching prefix consists
   * of name bytes without a class lookup per byte; the rest is scanned byte by byte.
   */
  private metricNameEnd(start: number): number {
    const b = this.b;
    const ref = this.refName;
    const end = start + this.refNameLen;
    let p = start;
    if (end <= b.length) {
      const dv = this.dv;
      // 8 bytes per step, loaded as a double: the reference bytes are name bytes (ASCII letters, digits,
      // `_`, `:`), which as a double are never NaN or ±0, and for such doubles equality is bit equality.
      while (p + 8 <= end && dv.getFloat64(p, true) === dv.getFloat64(ref + (p - start), true)) p += 8;
      if (p + 4 <= end && dv.getUint32(p, true) === dv.getUint32(ref + (p - start), true)) p += 4;
    }
    while (NAME_BYTE[b[p]!] !== 0) p++;
    this.refName = start;
    this.refNameLen = p - start;
    return p;
  }

  /**
   * A series line in the usual shape — `name{label="value",…} value[ timestamp]` with single spaces, plain
   * names, no escapes or newlines in label values, a decimal value — or 0.
   */
  private fastSeries(start: number): EntryKind | 0 {
    const b = this.b;
    const offs = this.offs;
    let p = this.metricNameEnd(start);
    offs[0] = start;
    offs[1] = p;
    this.nOffs = 2;
    this.seriesStart = start;
    if (b[p] === BRACE_OPEN) {
      p = this.fastLabels(p + 1);
      if (p < 0) return 0;
    }
    this.seriesEnd = p;
    if (b[p] !== SPACE) return 0;

    // Value: [-]digits[.digits][(e|E)[+|-]digits] with at most 15 digits in all, so that the mantissa is
    // an exact integer and Clinger's fast path (one IEEE operation) rounds correctly; parseGoFloat takes
    // the same path for these, so results are identical. Anything else goes to parseGoFloat itself.
    const vs = ++p;
    let c = b[p]!;
    const neg = c === 0x2d;
    if (neg) c = b[++p]!;
    let mant = 0;
    let digits = 0;
    while (c >= 0x30 && c <= 0x39) {
      mant = mant * 10 + (c - 0x30);
      digits++;
      c = b[++p]!;
    }
    let scale = 0;
    if (c === 0x2e) {
      c = b[++p]!;
      while (c >= 0x30 && c <= 0x39) {
        mant = mant * 10 + (c - 0x30);
        digits++;
        scale--;
        c = b[++p]!;
      }
    }
    if (c === 0x65 || c === 0x45) {
      c = b[++p]!;
      const eneg = c === 0x2d;
      if (eneg || c === 0x2b) c = b[++p]!;
      let exp = 0;
      const es = p;
      // Up to 3 exponent digits: more are out of the fast path's range anyway.
      while (c >= 0x30 && c <= 0x39 && p - es < 3) {
        exp = exp * 10 + (c - 0x30);
        c = b[++p]!;
      }
      if (p === es || (c >= 0x30 && c <= 0x39)) digits = 0;
      scale += eneg ? -exp : exp;
    }
    if (digits > 0 && digits <= 15 && scale >= -22 && scale <= 22 && (c === SPACE || c === NEWLINE)) {
      const v = scale < 0 ? mant / POW10[-scale]! : mant * POW10[scale]!;
      this.val = neg ? -v : v;
    } else if (digits > 0 && (c === SPACE || c === NEWLINE)) {
      // Plain decimal syntax beyond the fast path's exact range: Number() rounds correctly, as Go does
      // (parseGoFloat does the same), without parseGoFloat's byte-by-byte copy of the token. The token
      // is copied out on its own: slicing the body string would make that string for this one value.
      const v = Number((this.b as unknown as FastSlices).latin1Slice(vs, p));
      if (!Number.isFinite(v)) return 0;
      this.val = v;
    } else {
      // NaN, +Inf, …: the general parser on the whole value token (up to a blank, brace
      // or newline, as in parseSeries); an invalid value or an unusual separator → the general path.
      while (c !== SPACE && c !== TAB && c !== NEWLINE && c !== BRACE_OPEN) c = b[++p]!;
      if (c !== SPACE && c !== NEWLINE) return 0;
      const v = parseGoFloat(b, vs, p);
      if (v === undefined) return 0;
      this.val = v;
    }

    // Optional timestamp: up to 15 digits are exact in a double (millisecond timestamps have 13).
    this.hasTs = false;
    if (c === SPACE) {
      const ts = ++p;
      let t = 0;
      c = b[p]!;
      while (c >= 0x30 && c <= 0x39) {
        t = t * 10 + (c - 0x30);
        c = b[++p]!;
      }
      if (p === ts || p - ts > 15 || c !== NEWLINE) return 0;
      this.ts = t;
      this.hasTs = true;
    }
    this.pos = p + 1;
    return EntryKind.Series;
  }

  /**
   * Label pairs `name="value"` after `{`, separated by single commas (a trailing one allowed), up to and
   * including `}`: returns the offset after `}`, or -1 for any other shape.
   */
  private fastLabels(p: number): number {
    const b = this.b;
    const offs = this.offs;
    let n = this.nOffs;
    let c = b[p]!;
    while (c !== BRACE_CLOSE) {
      if (!isLabelNameStart(c)) return -1;
      const ns = p;
      while (LABEL_BYTE[b[++p]!] !== 0);
      if (b[p] !== EQUAL || b[p + 1] !== QUOTE) return -1;
      const vs = p + 2;
      // Values are short: a byte loop to the closing quote beats an indexOf call. Escapes and raw
      // newlines are left to the general path. No UTF-8 check is needed: the whole body is valid UTF-8,
      // and a range between two ASCII quotes of valid UTF-8 is valid UTF-8.
      let ve = vs;
      while (VALUE_STOP[b[ve]!] === 0) ve++;
      if (b[ve] !== QUOTE) return -1;
      offs[n] = ns;
      offs[n + 1] = p;
      offs[n + 2] = vs;
      offs[n + 3] = ve;
      n += 4;
      c = b[ve + 1]!;
      if (c === COMMA) {
        p = ve + 2;
        c = b[p]!;
      } else if (c === BRACE_CLOSE) {
        p = ve + 1;
      } else return -1;
    }
    this.nOffs = n;
    return p + 1;
  }

  /** Offset of the end of the line that contains `p` (the newline, or the end of the body). */
  private lineEnd(p: number): number {
    const e = this.b.indexOf(NEWLINE, p);
    return e < 0 ? this.b.length : e;
  }

  private parseComment(hash: number): EntryKind {
    const b = this.b;
    let p = hash + 1;
    const eol = this.lineEnd(p);
    if (p < eol && (b[p] === SPACE || b[p] === TAB)) {
      p = this.skipBlanks(p);
      const kind = this.keyword(p);
      if (kind !== EntryKind.Comment) return this.parseMeta(kind, this.skipBlanks(p + 4), eol);
    }
    this.metaTextStart = this.skipBlanks(hash + 1);
    this.metaTextEnd = eol;
    this.pos = eol + 1;
    return EntryKind.Comment;
  }

  /** `HELP` or `TYPE` followed by a blank at `p`, else Comment. */
  private keyword(p: number): EntryKind {
    const b = this.b;
    if (p + 4 >= b.length) return EntryKind.Comment;
    const after = b[p + 4];
    if (after !== SPACE && after !== TAB) return EntryKind.Comment;
    if (b[p] === 0x48 && b[p + 1] === 0x45 && b[p + 2] === 0x4c && b[p + 3] === 0x50) return EntryKind.Help;
    if (b[p] === 0x54 && b[p + 1] === 0x59 && b[p + 2] === 0x50 && b[p + 3] === 0x45) return EntryKind.Type;
    return EntryKind.Comment;
  }

  private parseMeta(kind: EntryKind, p: number, eol: number): EntryKind {
    const b = this.b;
    const what = kind === EntryKind.Help ? 'HELP' : 'TYPE';
    let nameEnd: number;
    if (p < eol && b[p] === QUOTE) {
      nameEnd = this.scanQuoted(p, 'metric name');
      if (nameEnd > eol) throw this.fail(p, `expected metric name after ${what}`);
      this.metaNameStart = p + 1;
      this.metaNameEnd = nameEnd - 1;
    } else if (p < eol && isMetricNameStart(b[p]!)) {
      nameEnd = p + 1;
      while (nameEnd < eol && isMetricNameChar(b[nameEnd]!)) nameEnd++;
      this.metaNameStart = p;
      this.metaNameEnd = nameEnd;
    } else {
      throw this.fail(p, `expected metric name after ${what}, got ${this.excerpt(p)}`);
    }
    // As in Prometheus, the text is the rest of the line after the one byte that ended the name.
    const textStart = nameEnd < eol ? nameEnd + 1 : eol;
    this.pos = eol + 1;
    if (kind === EntryKind.Type) {
      const t = textType(b, textStart, eol);
      if (t === undefined) {
        throw this.fail(
          textStart,
          `invalid metric type ${JSON.stringify(b.toString('utf8', textStart, eol))}`,
        );
      }
      this.metaType = t;
      this.mtype = t;
      return EntryKind.Type;
    }
    this.metaTextStart = textStart;
    this.metaTextEnd = eol;
    if (!this.isUtf8Range(textStart, eol)) throw this.fail(textStart, 'help text is not valid UTF-8');
    return EntryKind.Help;
  }

  private parseSeries(start: number): EntryKind {
    const b = this.b;
    const len = b.length;
    const offs = this.offs;
    let p = start;
    this.seriesStart = start;
    if (b[p] !== BRACE_OPEN) {
      p++;
      while (p < len && isMetricNameChar(b[p]!)) p++;
      offs[0] = start;
      offs[1] = p;
      this.nOffs = 2;
      this.seriesEnd = p;
      p = this.skipBlanks(p);
      if (p < len && b[p] === BRACE_OPEN) {
        p = this.parseLabels(p + 1);
        this.seriesEnd = p;
      }
    } else {
      offs[0] = -1;
      offs[1] = -1;
      this.nOffs = 2;
      p = this.parseLabels(p + 1);
      this.seriesEnd = p;
      if (offs[0] === -1) throw this.fail(start, 'metric name not set');
    }

    p = this.skipBlanks(p);
    // The value is everything up to a blank, brace or newline; strconv rules decide whether it is a number.
    const vs = p;
    while (p < len) {
      const c = b[p]!;
      if (c === SPACE || c === TAB || c === NEWLINE || c === BRACE_OPEN) break;
      p++;
    }
    if (p === vs) throw this.fail(p, `expected value after metric, got ${this.excerpt(p)}`);
    const v = parseGoFloat(b, vs, p);
    if (v === undefined) throw this.fail(vs, floatError);
    this.val = v;

    p = this.skipBlanks(p);
    this.hasTs = false;
    if (p < len && b[p] !== NEWLINE) {
      const ts = p;
      while (p < len && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
      if (p === ts) throw this.fail(p, `expected timestamp or new record, got ${this.excerpt(p)}`);
      this.ts = this.parseInt64(ts, p);
      this.hasTs = true;
      p = this.skipBlanks(p);
      if (p < len && b[p] !== NEWLINE) {
        throw this.fail(p, `expected next entry after timestamp, got ${this.excerpt(p)}`);
      }
    }
    this.pos = p + 1;
    return EntryKind.Series;
  }

  /** Parses label pairs after `{` up to and including `}`; returns the offset after `}`. */
  private parseLabels(p: number): number {
    const b = this.b;
    const len = b.length;
    const offs = this.offs;
    p = this.skipBlanks(p);
    for (;;) {
      if (p >= len) throw this.fail(p, 'expected label name, got end of input');
      let c = b[p]!;
      if (c === BRACE_CLOSE) return p + 1;
      let ns = p;
      let ne: number;
      let quoted = false;
      if (isLabelNameStart(c)) {
        ne = p + 1;
        while (ne < len && isLabelNameChar(b[ne]!)) ne++;
        p = ne;
      } else if (c === QUOTE) {
        p = this.scanQuoted(p, 'label name');
        ns++;
        ne = p - 1;
        quoted = true;
      } else {
        throw this.fail(p, `expected label name, got ${this.excerpt(p)}`);
      }
      p = this.skipBlanks(p);
      c = p < len ? b[p]! : NEWLINE;
      if (quoted && (c === COMMA || c === BRACE_CLOSE)) {
        // A lone quoted string is the metric name (text format 1.0.0).
        if (offs[0] !== -1) throw this.fail(ns - 1, 'metric name already set');
        offs[0] = ns;
        offs[1] = ne;
        if (c === BRACE_CLOSE) return p + 1;
        p = this.skipBlanks(p + 1);
        continue;
      }
      if (c !== EQUAL) throw this.fail(p, `expected equal, got ${this.excerpt(p)}`);
      p = this.skipBlanks(p + 1);
      if (p >= len || b[p] !== QUOTE) throw this.fail(p, `expected label value, got ${this.excerpt(p)}`);
      const vs = p + 1;
      p = this.scanQuoted(p, 'label value');
      const n = this.nOffs;
      offs[n] = ns;
      offs[n + 1] = ne;
      offs[n + 2] = vs;
      offs[n + 3] = p - 1;
      this.nOffs = n + 4;
      p = this.skipBlanks(p);
      // A comma is optional between pairs and allowed before `}` (Prometheus's lexer permits both).
      if (p < len && b[p] === COMMA) p = this.skipBlanks(p + 1);
    }
  }
}

/** Creates a pull parser for the Prometheus text format (0.0.4, and 1.0.0's quoted names). */
export function createTextParser(body: Uint8Array): ExpositionParser {
  return new PromTextParser(body);
}
