import type { MetricType } from '@scrapewire/storage';
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
  TAB,
} from './base-parser.js';
import { floatError, parseGoFloat } from './float.js';
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

/**
 * The Prometheus text format 0.0.4 (and 1.0.0's quoted UTF-8 names), accepting exactly what Prometheus's
 * scraper (`model/textparse/promparse.go`) accepts: blanks between any two tokens, blank lines, label sets
 * without commas between pairs and with a trailing comma, a missing final newline, and no checks on the
 * order or repetition of HELP and TYPE lines (those are lint findings; see `scrapewire check metrics`).
 */
export class PromTextParser extends BaseParser {
  protected override helpEscapesQuote = false;

  next(): EntryKind {
    const b = this.b;
    const len = b.length;
    for (;;) {
      let p = this.pos;
      while (p < len && (b[p] === SPACE || b[p] === TAB)) p++;
      if (p >= len) {
        this.pos = p;
        return EntryKind.End;
      }
      const c = b[p]!;
      if (c === NEWLINE) {
        this.pos = p + 1;
        continue;
      }
      this.entryStart = p;
      if (c === HASH) return this.parseComment(p);
      if (isMetricNameStart(c) || c === BRACE_OPEN) return this.parseSeries(p);
      throw this.fail(p, `expected a valid start token, got ${this.excerpt(p)}`);
    }
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
