import type { Labels } from './labels.js';

/**
 * A map from label sets to values that carry their own label set (a series, a cache entry), keyed by
 * {@link Labels.hash32} with collisions resolved by {@link Labels.equals}.
 *
 * Why not a `Map<string, V>` keyed by {@link Labels.key}: that string (every name and value joined, ~100
 * bytes for a typical series) would be built and kept for every series by every storage and cache that
 * holds one. A small-integer key costs nothing beyond the map's own entry, and the label set to compare
 * with is already in the value. Collisions of the 30-bit hash are rare (a handful among 100,000 series)
 * and go to a second map of arrays.
 */
export class LabelsMap<V> {
  /** The first value stored under each hash. */
  readonly #first = new Map<number, V>();
  /** Further values whose label sets collide with the first one's hash (rare). */
  readonly #more = new Map<number, V[]>();
  #size = 0;

  /** @param labelsOf returns the label set a value is stored under; it must not change while stored. */
  constructor(private readonly labelsOf: (value: V) => Labels) {}

  get size(): number {
    return this.#size;
  }

  get(labels: Labels): V | undefined {
    const h = labels.hash32();
    const v = this.#first.get(h);
    if (v === undefined) return undefined;
    if (this.#same(v, labels)) return v;
    const more = this.#more.get(h);
    if (more !== undefined) for (const m of more) if (this.#same(m, labels)) return m;
    return undefined;
  }

  has(labels: Labels): boolean {
    return this.get(labels) !== undefined;
  }

  /** Stores `value` under `labels`, replacing the value stored under an equal label set. */
  set(labels: Labels, value: V): this {
    const h = labels.hash32();
    const v = this.#first.get(h);
    if (v === undefined) {
      this.#first.set(h, value);
      this.#size++;
      return this;
    }
    if (this.#same(v, labels)) {
      this.#first.set(h, value);
      return this;
    }
    let more = this.#more.get(h);
    if (more === undefined) {
      more = [];
      this.#more.set(h, more);
    }
    const i = more.findIndex((m) => this.#same(m, labels));
    if (i >= 0) more[i] = value;
    else {
      more.push(value);
      this.#size++;
    }
    return this;
  }

  /** Removes the value stored under `labels`; true when there was one. */
  delete(labels: Labels): boolean {
    const h = labels.hash32();
    const v = this.#first.get(h);
    if (v === undefined) return false;
    const more = this.#more.get(h);
    if (this.#same(v, labels)) {
      // Promote a colliding value, so that `#first` holds a value for every hash in use.
      if (more !== undefined) {
        this.#first.set(h, more.pop()!);
        if (more.length === 0) this.#more.delete(h);
      } else this.#first.delete(h);
      this.#size--;
      return true;
    }
    if (more === undefined) return false;
    const i = more.findIndex((m) => this.#same(m, labels));
    if (i < 0) return false;
    more.splice(i, 1);
    if (more.length === 0) this.#more.delete(h);
    this.#size--;
    return true;
  }

  clear(): void {
    this.#first.clear();
    this.#more.clear();
    this.#size = 0;
  }

  /** Every value, in no particular order. */
  *values(): IterableIterator<V> {
    yield* this.#first.values();
    for (const more of this.#more.values()) yield* more;
  }

  #same(v: V, labels: Labels): boolean {
    const l = this.labelsOf(v);
    return l === labels || l.equals(labels);
  }
}
