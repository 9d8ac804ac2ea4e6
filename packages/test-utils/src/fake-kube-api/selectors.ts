/**
 * Kubernetes label and field selectors, parsed the way the API server reads the `labelSelector` and
 * `fieldSelector` query parameters. Enough of the grammar for tests: `k=v`, `k==v`, `k!=v`, `k`, `!k`,
 * `k in (a,b)`, `k notin (a,b)`, comma-separated (all must match).
 */

/** A parsed selector: true when the object matches. */
export type Matcher = (obj: KubeObjectLike) => boolean;

/** The part of an object the selectors read. */
export interface KubeObjectLike {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
  };
  readonly [key: string]: unknown;
}

/** Raised for a selector the fake cannot parse; the server answers 400 as the real one does. */
export class SelectorParseError extends Error {
  override name = 'SelectorParseError';
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

type TermMatcher = (value: string | undefined) => boolean;

function parseTerm(term: string, allowSets: boolean): { key: string; test: TermMatcher } {
  const setMatch = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    if (!allowSets) throw new SelectorParseError(`set-based requirement not allowed here: ${term}`);
    const values = new Set(
      setMatch[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    );
    const negate = setMatch[2] === 'notin';
    return {
      key: setMatch[1]!,
      test: (v) => (negate ? v === undefined || !values.has(v) : v !== undefined && values.has(v)),
    };
  }
  const op = /^([^\s!=]+)\s*(==|!=|=)\s*(\S*)$/.exec(term);
  if (op) {
    const [, key, operator, value] = op;
    return operator === '!='
      ? { key: key!, test: (v) => v !== value }
      : { key: key!, test: (v) => v === value };
  }
  if (allowSets && /^![^\s!=()]+$/.test(term)) return { key: term.slice(1), test: (v) => v === undefined };
  if (allowSets && /^[^\s!=()]+$/.test(term)) return { key: term, test: (v) => v !== undefined };
  throw new SelectorParseError(`unable to parse requirement: ${term}`);
}

/** Parses a `labelSelector`; an empty string matches everything. */
export function parseLabelSelector(text: string): Matcher {
  const terms = splitTerms(text).map((t) => parseTerm(t, true));
  return (obj) => terms.every(({ key, test }) => test(obj.metadata?.labels?.[key]));
}

/** Reads a dotted field path such as `spec.nodeName` from an object, as a string. */
function fieldValue(obj: KubeObjectLike, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

/**
 * Parses a `fieldSelector`. The real server only supports a few fields per kind (`metadata.name`,
 * `metadata.namespace` everywhere, `spec.nodeName`/`status.phase` for pods, …); the fake accepts any dotted
 * path and compares its string value, a missing field reading as "".
 */
export function parseFieldSelector(text: string): Matcher {
  const terms = splitTerms(text).map((t) => parseTerm(t, false));
  return (obj) => terms.every(({ key, test }) => test(fieldValue(obj, key)));
}
