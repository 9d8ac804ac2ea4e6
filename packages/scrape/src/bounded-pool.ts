/**
 * A bounded map from a key to the one shared copy of an immutable value, for values that many scrape
 * caches keep (metadata strings and snapshots, raw series texts): targets of one exporter expose the same
 * ones, and each cache would otherwise hold a copy of its own.
 *
 * A full pool starts over rather than tracking recency: values stay shared where caches hold them, only
 * later sharing is lost, and a workload whose values never repeat pins at most `max` values that no cache
 * needs any more.
 */
export class BoundedPool<V> {
  readonly #values = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.#values.get(key);
  }

  /** Stores `value` under `key`, starting over first when the pool is full, and returns it. */
  add(key: string, value: V): V {
    if (this.#values.size >= this.max) this.#values.clear();
    this.#values.set(key, value);
    return value;
  }
}
