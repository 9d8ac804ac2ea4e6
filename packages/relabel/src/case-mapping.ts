/**
 * Upper- and lower-casing with Go's `strings.ToUpper`/`ToLower` semantics, which Prometheus's
 * `uppercase`/`lowercase` actions use. Go maps each code point on its own with Unicode's *simple* case
 * mapping, while JavaScript applies the full mapping (`ß` → `SS`, `İ` → `i̇`) and context rules (final
 * sigma). We therefore map code point by code point and keep a character whose full mapping would
 * expand to several, except where its simple mapping is a different single character (listed below).
 */

// Simple mappings that differ from both the character itself and its multi-character full mapping.
const SIMPLE_LOWER: ReadonlyMap<number, number> = new Map([[0x130, 0x69]]);
const SIMPLE_UPPER: ReadonlyMap<number, number> = (() => {
  const m = new Map<number, number>();
  // Greek letters with ypogegrammeni: the simple uppercase is the matching prosgegrammeni letter.
  for (const base of [0x1f80, 0x1f90, 0x1fa0]) for (let i = 0; i < 8; i++) m.set(base + i, base + 8 + i);
  m.set(0x1fb3, 0x1fbc);
  m.set(0x1fc3, 0x1fcc);
  m.set(0x1ff3, 0x1ffc);
  return m;
})();

const ASCII = /^[\x00-\x7f]*$/;

function mapCodePoints(s: string, upper: boolean): string {
  const simple = upper ? SIMPLE_UPPER : SIMPLE_LOWER;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const special = simple.get(cp);
    if (special !== undefined) {
      out += String.fromCodePoint(special);
      continue;
    }
    const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
    // A full mapping of more than one code point has no simple equivalent: Go leaves the character.
    out += mapped.length === ch.length || [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

/** Go's `strings.ToLower`. */
export function goToLower(s: string): string {
  return ASCII.test(s) ? s.toLowerCase() : mapCodePoints(s, false);
}

/** Go's `strings.ToUpper`. */
export function goToUpper(s: string): string {
  return ASCII.test(s) ? s.toUpperCase() : mapCodePoints(s, true);
}
