/**
 * Deep equality of two SD config values, the counterpart of Go's `reflect.DeepEqual` that Prometheus uses to
 * decide whether two jobs can share a provider and whether a reload changed a provider's config.
 *
 * Plain objects compare by their defined keys (a key whose value is `undefined` counts as absent), arrays
 * element by element, and secrets (objects with a `reveal()` method, such as config's `Secret`) by their
 * revealed value, since a reload builds new `Secret` instances for unchanged text.
 */
export function configEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!configEqual(a[i], b[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ra = (a as { reveal?: unknown }).reveal;
  const rb = (b as { reveal?: unknown }).reveal;
  if (typeof ra === 'function' && typeof rb === 'function') {
    return (ra as () => unknown).call(a) === (rb as () => unknown).call(b);
  }
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  const ka = Object.keys(oa).filter((k) => oa[k] !== undefined);
  const kb = Object.keys(ob).filter((k) => ob[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(ob, k) || !configEqual(oa[k], ob[k])) return false;
  }
  return true;
}
