import type { SeriesRef } from './appender.js';

/** The widest run of empty slots {@link RefIndex} fills to keep a ref in its dense array. */
const MAX_GAP = 65_536;

/**
 * Values by series ref, for the storages and the fanout. Storages hand out refs as small sequential
 * integers, so those live in a dense array at `ref - base`: an indexed load per sample instead of a hash
 * lookup, and 8 bytes a ref instead of a hash-table entry. Anything else goes to a Map: refs below the
 * base (left by {@link compactIfSparse}), refs far past the array (a foreign storage that issues hashes,
 * say) and refs that are not integers.
 */
export class RefIndex<V> {
  #dense: (V | undefined)[] = [];
  /** The ref of `#dense[0]`; set by the first ref stored while the array is empty. */
  #base = 1;
  /** Values in `#dense`. */
  #denseCount = 0;
  #sparse: Map<SeriesRef, V> | undefined;
  #size = 0;

  /** Values stored. */
  get size(): number {
    return this.#size;
  }

  get(ref: SeriesRef): V | undefined {
    const i = ref - this.#base;
    if (i >= 0 && i < this.#dense.length) {
      const v = this.#dense[i];
      if (v !== undefined) return v;
    }
    return this.#sparse?.get(ref);
  }

  set(ref: SeriesRef, value: V): void {
    this.delete(ref);
    const d = this.#dense;
    if (d.length === 0 && Number.isInteger(ref)) this.#base = ref;
    const i = ref - this.#base;
    if (Number.isInteger(i) && i >= 0 && i - d.length <= MAX_GAP) {
      // Fill any gap below `i` first, so the array stays packed rather than turning into a dictionary.
      while (d.length < i) d.push(undefined);
      d[i] = value;
      this.#denseCount++;
    } else {
      this.#sparse ??= new Map();
      this.#sparse.set(ref, value);
    }
    this.#size++;
  }

  delete(ref: SeriesRef): void {
    const i = ref - this.#base;
    if (i >= 0 && i < this.#dense.length && this.#dense[i] !== undefined) {
      this.#dense[i] = undefined;
      this.#denseCount--;
      this.#size--;
    } else if (this.#sparse?.delete(ref)) {
      this.#size--;
      if (this.#sparse.size === 0) this.#sparse = undefined;
    }
  }

  clear(): void {
    this.#dense = [];
    this.#denseCount = 0;
    this.#sparse = undefined;
    this.#size = 0;
  }

  /**
   * When at most a quarter of a large dense array is in use (the series of its refs have mostly gone),
   * moves the survivors to the Map and starts the array afresh from the next ref stored, so memory
   * follows the live values rather than every ref ever handed out.
   */
  compactIfSparse(): void {
    const d = this.#dense;
    if (d.length < 1024 || this.#denseCount * 4 > d.length) return;
    if (this.#denseCount > 0) {
      this.#sparse ??= new Map();
      for (let i = 0; i < d.length; i++) {
        const v = d[i];
        if (v !== undefined) this.#sparse.set(this.#base + i, v);
      }
    }
    this.#dense = [];
    this.#denseCount = 0;
  }
}
