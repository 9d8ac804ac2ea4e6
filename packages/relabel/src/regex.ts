import { RE2JS } from 're2js';
import { RelabelConfigError } from './errors.js';

/**
 * A relabel regex: RE2 syntax, matched against the whole value (`^(?s:<regex>)$`, as Prometheus 3.x
 * anchors it, so `.` also matches a newline). Matching is linear-time in the value's length.
 */
export interface RelabelRegex {
  /** The regex as written, unanchored. */
  readonly source: string;
  /** Number of capturing groups. */
  readonly groupCount: number;
  /** Capturing group name → index. */
  readonly namedGroups: Readonly<Record<string, number>>;
  /** True when the whole of `value` matches. */
  matches(value: string): boolean;
  /**
   * Submatch positions `[start0, end0, start1, end1, …]` (UTF-16 offsets, `-1` for groups that did not
   * take part) of the leftmost match, else `undefined`. Thanks to the anchors that is the whole value,
   * unless the regex escapes the wrapper, e.g. `a)|(b`, exactly as in Prometheus.
   */
  exec(value: string): readonly number[] | undefined;
}

/**
 * Compiles a relabel regex. Common shapes — `(.*)`, `(.+)`, literals, literal alternations and
 * `literal(.+)` prefixes — are answered with string operations instead of running the RE2 automaton,
 * because those are most of real-world relabeling and re2js spends microseconds per match even on
 * trivial patterns. Every pattern is still compiled by RE2 first, so validity and error messages never
 * depend on the fast path.
 *
 * @throws {RelabelConfigError} when `source` is not a valid RE2 regex.
 */
export function compileRelabelRegex(source: string): RelabelRegex {
  let re: RE2JS;
  try {
    // Plain concatenation, exactly like Prometheus: a pattern such as `a)|(b` compiles there too.
    re = RE2JS.compile(`^(?s:${source})$`);
  } catch (err) {
    throw new RelabelConfigError(
      `invalid regex ${JSON.stringify(source)}: ${(err as Error).message}`,
      'regex',
      { cause: err },
    );
  }
  const fast = fastPathFor(source);
  if (fast !== undefined && fast.groupCount === re.groupCount()) return fast;
  return new Re2Regex(source, re);
}

class Re2Regex implements RelabelRegex {
  readonly groupCount: number;
  readonly namedGroups: Readonly<Record<string, number>>;
  private readonly re2: ReturnType<RE2JS['re2']>;

  constructor(
    readonly source: string,
    private readonly re: RE2JS,
  ) {
    this.groupCount = re.groupCount();
    this.namedGroups = { ...re.namedGroups() };
    this.re2 = re.re2();
  }

  matches(value: string): boolean {
    // A search, like Go's MatchString: the pattern carries its own anchors, and a regex that breaks out
    // of the wrapper (`a)|(b`) must behave as in Prometheus.
    return this.re.test(value);
  }

  exec(value: string): readonly number[] | undefined {
    const idx = this.re2.findSubmatchIndex(value) as number[] | null;
    return idx ?? undefined;
  }
}

const NO_NAMES: Readonly<Record<string, number>> = Object.freeze({});

/** `.*` / `(.*)`: every value matches (the `s` flag lets `.` match newlines). */
class MatchAll implements RelabelRegex {
  readonly namedGroups = NO_NAMES;
  constructor(
    readonly source: string,
    readonly groupCount: number,
    private readonly nonEmpty: boolean,
  ) {}
  matches(value: string): boolean {
    return !this.nonEmpty || value.length > 0;
  }
  exec(value: string): readonly number[] | undefined {
    if (this.nonEmpty && value.length === 0) return undefined;
    const n = value.length;
    return this.groupCount === 0 ? [0, n] : [0, n, 0, n];
  }
}

/** A literal or an alternation of literals, optionally in one group. */
class LiteralSet implements RelabelRegex {
  readonly namedGroups = NO_NAMES;
  private readonly set: ReadonlySet<string>;
  constructor(
    readonly source: string,
    readonly groupCount: number,
    literals: readonly string[],
  ) {
    this.set = new Set(literals);
  }
  matches(value: string): boolean {
    return this.set.has(value);
  }
  exec(value: string): readonly number[] | undefined {
    if (!this.set.has(value)) return undefined;
    const n = value.length;
    return this.groupCount === 0 ? [0, n] : [0, n, 0, n];
  }
}

/** `prefix(.*)` / `prefix(.+)`: group 1 is the rest after the prefix. */
class PrefixCapture implements RelabelRegex {
  readonly namedGroups = NO_NAMES;
  readonly groupCount = 1;
  constructor(
    readonly source: string,
    private readonly prefix: string,
    private readonly nonEmpty: boolean,
  ) {}
  matches(value: string): boolean {
    return value.startsWith(this.prefix) && (!this.nonEmpty || value.length > this.prefix.length);
  }
  exec(value: string): readonly number[] | undefined {
    if (!this.matches(value)) return undefined;
    return [0, value.length, this.prefix.length, value.length];
  }
}

// Characters that are literal in RE2 outside a character class when not escaped.
const META = new Set(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);
// RE2 treats a backslash before ASCII punctuation as that character.
const ESCAPABLE = /^[!-/:-@[-`{-~]$/;

/** Parses `s` as a sequence of literal characters; undefined when it contains any regex operator. */
function parseLiteral(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      const next = s[i + 1];
      if (next === undefined || !ESCAPABLE.test(next)) return undefined;
      out += next;
      i++;
    } else if (META.has(c)) {
      return undefined;
    } else {
      out += c;
    }
  }
  return out;
}

/** Splits at unescaped `|`; undefined if there is any unescaped parenthesis. */
function splitAlternation(s: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '(' || c === ')') return undefined;
    else if (c === '|') {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function fastPathFor(source: string): RelabelRegex | undefined {
  switch (source) {
    case '.*':
      return new MatchAll(source, 0, false);
    case '(.*)':
      return new MatchAll(source, 1, false);
    case '.+':
      return new MatchAll(source, 0, true);
    case '(.+)':
      return new MatchAll(source, 1, true);
  }
  for (const tail of ['(.*)', '(.+)']) {
    if (source.endsWith(tail) && !source.endsWith(`\\${tail}`)) {
      const prefix = parseLiteral(source.slice(0, -tail.length));
      if (prefix !== undefined) return new PrefixCapture(source, prefix, tail === '(.+)');
    }
  }
  let body = source;
  let groupCount = 0;
  if (body.startsWith('(?:') && body.endsWith(')') && !body.endsWith('\\)')) {
    body = body.slice(3, -1);
  } else if (body.startsWith('(') && !body.startsWith('(?') && body.endsWith(')') && !body.endsWith('\\)')) {
    body = body.slice(1, -1);
    groupCount = 1;
  }
  const alternatives = splitAlternation(body);
  if (alternatives === undefined) return undefined;
  const literals: string[] = [];
  for (const alt of alternatives) {
    const lit = parseLiteral(alt);
    if (lit === undefined) return undefined;
    literals.push(lit);
  }
  return new LiteralSet(source, groupCount, literals);
}
