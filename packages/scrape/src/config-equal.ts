/**
 * Deep equality of configuration objects, comparing {@link Secret}-like values (objects with `reveal()`)
 * by their revealed value, so that a rotated password counts as a change although it prints as `<secret>`.
 */
export function configEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  const ra = (a as { reveal?: unknown }).reveal;
  const rb = (b as { reveal?: unknown }).reveal;
  if (typeof ra === 'function' || typeof rb === 'function') {
    return (
      typeof ra === 'function' &&
      typeof rb === 'function' &&
      (a as { reveal(): string }).reveal() === (b as { reveal(): string }).reveal()
    );
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!configEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
