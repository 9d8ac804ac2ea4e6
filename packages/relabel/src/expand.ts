/**
 * Replacement templates with the semantics of Go's `Regexp.Expand`, which Prometheus uses for
 * `replacement` and templated `target_label`s: `$1`, `${1}`, `$name`, `${name}`, and `$$` for a literal
 * `$`. A reference name runs as far as letters, digits and `_` go, so `$1x` names the group `1x` (which
 * usually does not exist and expands to nothing) — write `${1}x`. A malformed reference (`$` followed by
 * nothing usable, or `${` without `}`) is copied as a literal `$`.
 */

/** A template compiled against one regex: literal text and capture-group indexes, in order. */
export interface CompiledTemplate {
  /** The template as written. */
  readonly source: string;
  /** Literal strings and group indexes (`-1` = a reference to a group that does not exist). */
  readonly parts: readonly (string | number)[];
  /** The expansion when the template has no references at all. */
  readonly literal: string | undefined;
}

// Go's extract() accepts unicode.IsLetter, unicode.IsDigit (Nd) and '_' in reference names.
const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/**
 * Compiles `template` for a regex whose named groups are `namedGroups` (name → index) and which has
 * `groupCount` capturing groups.
 */
export function compileTemplate(
  template: string,
  namedGroups: Readonly<Record<string, number>>,
  groupCount: number,
): CompiledTemplate {
  const parts: (string | number)[] = [];
  let lit = '';
  let rest = template;
  let hasRefs = false;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    lit += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      lit += '$';
      rest = rest.slice(1);
      continue;
    }
    const ref = extractRef(rest);
    if (ref === undefined) {
      lit += '$';
      continue;
    }
    rest = ref.rest;
    hasRefs = true;
    if (lit !== '') parts.push(lit);
    lit = '';
    parts.push(resolveRef(ref.name, namedGroups, groupCount));
  }
  lit += rest;
  if (lit !== '') parts.push(lit);
  return { source: template, parts, literal: hasRefs ? undefined : lit };
}

function extractRef(s: string): { name: string; rest: string } | undefined {
  let i = 0;
  const brace = s.startsWith('{');
  if (brace) i = 1;
  const start = i;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === start) return undefined;
  const name = s.slice(start, i);
  if (brace) {
    if (s[i] !== '}') return undefined;
    i++;
  }
  return { name, rest: s.slice(i) };
}

function resolveRef(name: string, namedGroups: Readonly<Record<string, number>>, groupCount: number): number {
  // Go reads the name as a group number when it is all ASCII digits, below 1e8, without a leading zero.
  let num = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 48);
  }
  if (name.length > 1 && name[0] === '0') num = -1;
  if (num >= 0) return num <= groupCount ? num : -1;
  const idx = Object.hasOwn(namedGroups, name) ? namedGroups[name] : undefined;
  return idx ?? -1;
}

/**
 * Expands a compiled template for a match of `src`; `indexes` holds `[start0, end0, start1, end1, …]`
 * with `-1` for groups that did not participate.
 */
export function expandTemplate(tpl: CompiledTemplate, src: string, indexes: readonly number[]): string {
  if (tpl.literal !== undefined) return tpl.literal;
  const parts = tpl.parts;
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (typeof p === 'string') {
      out += p;
    } else if (p >= 0) {
      const s = indexes[2 * p];
      if (s !== undefined && s >= 0) out += src.slice(s, indexes[2 * p + 1]);
    }
  }
  return out;
}
