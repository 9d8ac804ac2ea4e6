/**
 * An immutable, sorted set of label name/value pairs — the identity of a series or a target.
 *
 * Stored as one flat array `[name0, value0, name1, value1, …]` sorted by name, the way Prometheus keeps
 * `labels.Labels` as a sorted slice: comparing, hashing and iterating walk one array with no per-label
 * objects, which matters on the scrape hot path. Build one with {@link Labels.from}, {@link Labels.fromPairs}
 * or a {@link LabelsBuilder}; a `Labels` is never mutated after construction.
 */
export class Labels {
  /** The empty label set. */
  static readonly EMPTY: Labels = new Labels([]);

  private readonly flat: readonly string[];
  /** {@link key}, computed on first use. */
  #key: string | undefined;
  /** {@link hash32}, computed on first use; -1 until then. */
  #hash32 = -1;

  /**
   * @internal Use the static factories; the array must be sorted by name with unique names.
   *
   * Copies the array: arrays built by `push` carry spare capacity, and a label set usually lives as long
   * as its series, so an exact-size copy saves ~70 bytes a series for one short copy per new label set.
   */
  private constructor(flat: readonly string[]) {
    this.flat = flat.slice();
  }

  /** Builds a label set from an object; labels with an empty value are left out, as in Prometheus. */
  static from(obj: Readonly<Record<string, string>>): Labels {
    const names = Object.keys(obj).sort();
    const flat: string[] = [];
    for (const n of names) {
      const v = obj[n]!;
      if (v !== '') flat.push(n, v);
    }
    return new Labels(flat);
  }

  /**
   * Builds a label set from `[name, value, name, value, …]` in any order. Later duplicates win; empty
   * values are left out.
   */
  static fromPairs(pairs: readonly string[]): Labels {
    if (pairs.length % 2 !== 0) throw new TypeError('Labels.fromPairs: odd number of strings');
    const map = new Map<string, string>();
    for (let i = 0; i < pairs.length; i += 2) map.set(pairs[i]!, pairs[i + 1]!);
    return Labels.fromMap(map);
  }

  /** Builds a label set from a map; empty values are left out. */
  static fromMap(map: ReadonlyMap<string, string>): Labels {
    const names = [...map.keys()].sort();
    const flat: string[] = [];
    for (const n of names) {
      const v = map.get(n)!;
      if (v !== '') flat.push(n, v);
    }
    return new Labels(flat);
  }

  /**
   * Wraps an already sorted, duplicate-free, empty-value-free flat array without checking. The array is
   * copied to its exact size, so the caller may reuse it.
   * @internal For hot paths that build sorted arrays themselves (the relabel builder, the parsers).
   */
  static unsafeFromSortedFlat(flat: readonly string[]): Labels {
    return new Labels(flat);
  }

  /** Number of labels. */
  get size(): number {
    return this.flat.length >> 1;
  }

  /** True when the set has no labels. */
  get isEmpty(): boolean {
    return this.flat.length === 0;
  }

  /** The value of `name`, or `''` when absent (Prometheus treats absent and empty alike). */
  get(name: string): string {
    const i = this.indexOf(name);
    return i < 0 ? '' : this.flat[i + 1]!;
  }

  /** True when `name` is present. */
  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  private indexOf(name: string): number {
    // Binary search over the sorted names; label sets are small, but series sets can reach dozens.
    let lo = 0;
    let hi = (this.flat.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const n = this.flat[mid * 2]!;
      if (n === name) return mid * 2;
      if (n < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Calls `fn` for each label in name order. */
  forEach(fn: (name: string, value: string) => void): void {
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) fn(f[i]!, f[i + 1]!);
  }

  /** Iterates `[name, value]` pairs in name order. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const f = this.flat;
    for (let i = 0; i < f.length; i += 2) yield [f[i]!, f[i + 1]!];
  }

  /** Label names in order. */
  names(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.flat.length; i += 2) out.push(this.flat[i]!);
    return out;
  }

  /** The flat sorted `[name, value, …]` array. Do not mutate. */
  toFlat(): readonly string[] {
    return this.flat;
  }

  /** A plain object copy, e.g. for JSON APIs. */
  toObject(): Record<string, string> {
    const o: Record<string, string> = {};
    for (let i = 0; i < this.flat.length; i += 2) o[this.flat[i]!] = this.flat[i + 1]!;
    return o;
  }

  /** Structural equality. */
  equals(other: Labels): boolean {
    if (this === other) return true;
    const a = this.flat;
    const b = other.flat;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** Orders label sets as Prometheus's `labels.Compare` does: label by label, name then value. */
  static compare(a: Labels, b: Labels): number {
    const x = a.flat;
    const y = b.flat;
    const n = Math.min(x.length, y.length);
    for (let i = 0; i < n; i++) {
      if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    }
    return x.length - y.length;
  }

  /**
   * A string that is equal for equal label sets and different otherwise — a Map key. Uses the byte 0xff,
   * which cannot occur in valid UTF-8, as the separator, as Prometheus's `labels.Hash` does.
   */
  key(): string {
    this.#key ??= this.flat.join('\xff');
    return this.#key;
  }

  /**
   * A 30-bit hash of the label set (FNV-1a over names and values with a separator), computed once per
   * Labels object. Always a small integer, so a `Map` keyed by it stores no key object: see
   * {@link LabelsMap}, which uses it instead of a {@link key} string per series.
   */
  hash32(): number {
    if (this.#hash32 < 0) {
      let h = 0x811c9dc5;
      const f = this.flat;
      for (let i = 0; i < f.length; i++) {
        const s = f[i]!;
        for (let j = 0; j < s.length; j++) {
          h ^= s.charCodeAt(j);
          h = Math.imul(h, 0x01000193);
        }
        // The separator (0xff, like key()) keeps ["ab", "c"] and ["a", "bc"] apart.
        h ^= 0xff;
        h = Math.imul(h, 0x01000193);
      }
      this.#hash32 = (h >>> 2) & 0x3fffffff;
    }
    return this.#hash32;
  }

  /** 64-bit FNV-1a hash of the label set (as a bigint), stable across processes. */
  hash(): bigint {
    return fnv1a64(this.key());
  }

  /** A copy without the named labels. */
  without(...names: string[]): Labels {
    const drop = new Set(names);
    const out: string[] = [];
    for (let i = 0; i < this.flat.length; i += 2) {
      if (!drop.has(this.flat[i]!)) out.push(this.flat[i]!, this.flat[i + 1]!);
    }
    return new Labels(out);
  }

  /** `{a="1", b="2"}` in Prometheus's notation. */
  toString(): string {
    const parts: string[] = [];
    for (let i = 0; i < this.flat.length; i += 2) {
      parts.push(`${this.flat[i]}=${JSON.stringify(this.flat[i + 1])}`);
    }
    return `{${parts.join(', ')}}`;
  }

  /** A builder starting from this label set. */
  builder(): LabelsBuilder {
    return new LabelsBuilder(this);
  }
}

/**
 * Builds a new {@link Labels} from a base by setting and deleting labels, like Prometheus's
 * `labels.Builder`. Setting a label to `''` deletes it.
 */
export class LabelsBuilder {
  private readonly changes = new Map<string, string>();

  constructor(private base: Labels = Labels.EMPTY) {}

  /** Replaces the base and forgets all changes. */
  reset(base: Labels): this {
    this.base = base;
    this.changes.clear();
    return this;
  }

  /** The current value of `name` (`''` when absent). */
  get(name: string): string {
    const c = this.changes.get(name);
    return c !== undefined ? c : this.base.get(name);
  }

  /** True when `name` currently has a non-empty value. */
  has(name: string): boolean {
    return this.get(name) !== '';
  }

  /** Sets `name` to `value`; an empty value deletes the label. */
  set(name: string, value: string): this {
    this.changes.set(name, value);
    return this;
  }

  /** Deletes the named labels. */
  del(...names: string[]): this {
    for (const n of names) this.changes.set(n, '');
    return this;
  }

  /** Calls `fn` for every label currently in the builder, in name order. */
  forEach(fn: (name: string, value: string) => void): void {
    this.labels().forEach(fn);
  }

  /** Keeps only the labels for which `keep(name, value)` is true. */
  filter(keep: (name: string, value: string) => boolean): this {
    this.labels().forEach((n, v) => {
      if (!keep(n, v)) this.changes.set(n, '');
    });
    return this;
  }

  /** The resulting label set. The builder stays usable. */
  labels(): Labels {
    if (this.changes.size === 0) return this.base;
    const merged = new Map<string, string>();
    for (const [n, v] of this.base) merged.set(n, v);
    for (const [n, v] of this.changes) merged.set(n, v);
    return Labels.fromMap(merged);
  }
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** 64-bit FNV-1a over the UTF-8 bytes of `s`. */
export function fnv1a64(s: string): bigint {
  const bytes = new TextEncoder().encode(s);
  let h = FNV_OFFSET;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * FNV_PRIME) & MASK64;
  }
  return h;
}
