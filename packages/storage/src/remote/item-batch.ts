import type { Exemplar, NativeHistogram } from '../appender.js';
import type { EncodedSeries, QueueItem } from './write-request.js';

/** The kind of a queued item, as in {@link QueueItem}. */
export type ItemKind = QueueItem['kind'];

/** What an exemplar or histogram item carries besides its timestamp and value; undefined for samples. */
export type ItemExtra = Exemplar | NativeHistogram | undefined;

/** The {@link ItemExtra} of a {@link QueueItem}. */
export function extraOf(item: QueueItem): ItemExtra {
  return item.kind === 'histogram' ? item.histogram : item.kind === 'exemplar' ? item.exemplar : undefined;
}

/**
 * Queue items in columns, item `i` at index `i` of each (below {@link length}; the arrays may be
 * longer): what a transaction collects, what a shard sends as one request, what is dropped together.
 *
 * Why columns: remote write sees every scraped sample, and an object per sample (plus boxed numbers for
 * its timestamp and value) is garbage that often lives long enough to be copied by the young-generation
 * GC while it waits in a shard. Here a sample costs a few array slots. The arrays grow by doubling and
 * {@link clear} keeps them, so a batch that is reused (the storage reuses transaction batches)
 * allocates nothing once warm.
 */
export class ItemBatch {
  series: (EncodedSeries | undefined)[];
  kind: (ItemKind | undefined)[];
  timestampMs: Float64Array;
  /** The float value of a sample or exemplar; ignored for stale markers and histograms. */
  value: Float64Array;
  extra: ItemExtra[];
  /** The hash of the item's series (30 bits), which picks its shard. */
  hash: Int32Array;
  length = 0;

  constructor(capacity = 16) {
    const n = Math.max(1, capacity);
    this.series = new Array(n);
    this.kind = new Array(n);
    this.timestampMs = new Float64Array(n);
    this.value = new Float64Array(n);
    this.extra = new Array(n);
    this.hash = new Int32Array(n);
  }

  /** A batch of the given items, in order, with hash 0. */
  static from(items: readonly QueueItem[]): ItemBatch {
    const b = new ItemBatch(items.length);
    for (const it of items) b.push(it.series, it.kind, it.timestampMs, it.value, extraOf(it), 0);
    return b;
  }

  push(
    series: EncodedSeries,
    kind: ItemKind,
    timestampMs: number,
    value: number,
    extra: ItemExtra,
    hash: number,
  ): void {
    const i = this.length;
    if (i === this.series.length) this.#grow();
    this.series[i] = series;
    this.kind[i] = kind;
    this.timestampMs[i] = timestampMs;
    this.value[i] = value;
    this.extra[i] = extra;
    this.hash[i] = hash;
    this.length = i + 1;
  }

  /**
   * Appends item `i` of `from`, column to column: passing the timestamp and value on as arguments would
   * box each double into a heap object at every call that is not inlined.
   */
  pushFrom(from: ItemBatch, i: number): void {
    const at = this.length;
    if (at === this.series.length) this.#grow();
    this.series[at] = from.series[i];
    this.kind[at] = from.kind[i];
    this.timestampMs[at] = from.timestampMs[i]!;
    this.value[at] = from.value[i]!;
    this.extra[at] = from.extra[i];
    this.hash[at] = from.hash[i]!;
    this.length = at + 1;
  }

  /** Empties the batch, keeping its arrays but not the series and exemplars they pointed at. */
  clear(): void {
    this.series.fill(undefined, 0, this.length);
    this.extra.fill(undefined, 0, this.length);
    this.length = 0;
  }

  #grow(): void {
    const n = this.series.length * 2;
    const series: (EncodedSeries | undefined)[] = new Array(n);
    const kind: (ItemKind | undefined)[] = new Array(n);
    const extra: ItemExtra[] = new Array(n);
    for (let i = 0; i < this.length; i++) {
      series[i] = this.series[i];
      kind[i] = this.kind[i];
      extra[i] = this.extra[i];
    }
    const timestampMs = new Float64Array(n);
    timestampMs.set(this.timestampMs);
    const value = new Float64Array(n);
    value.set(this.value);
    const hash = new Int32Array(n);
    hash.set(this.hash);
    this.series = series;
    this.kind = kind;
    this.timestampMs = timestampMs;
    this.value = value;
    this.extra = extra;
    this.hash = hash;
  }
}

/** Below this many slots a drained ring is not shrunk: small columns cost little and regrowing costs copies. */
const MIN_RING_SLOTS = 4096;

/**
 * A FIFO of items bounded to `capacity` that drops its OLDEST item to make room, so a long receiver
 * outage keeps the newest data. Columns like {@link ItemBatch}; grows its arrays on demand, so an idle
 * queue costs little memory.
 */
export class ItemRing {
  #series: (EncodedSeries | undefined)[] = new Array(16);
  #kind: (ItemKind | undefined)[] = new Array(16);
  #timestampMs = new Float64Array(16);
  #value = new Float64Array(16);
  #extra: ItemExtra[] = new Array(16);
  #hash = new Int32Array(16);
  #head = 0;
  #length = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.#length;
  }

  /** Appends one item; returns the kind of the item dropped to make room, if one was. */
  push(
    series: EncodedSeries,
    kind: ItemKind,
    timestampMs: number,
    value: number,
    extra: ItemExtra,
    hash: number,
  ): ItemKind | undefined {
    const dropped = this.#makeRoom();
    const at = (this.#head + this.#length) % this.#series.length;
    this.#series[at] = series;
    this.#kind[at] = kind;
    this.#timestampMs[at] = timestampMs;
    this.#value[at] = value;
    this.#extra[at] = extra;
    this.#hash[at] = hash;
    this.#length++;
    return dropped;
  }

  /** Appends item `i` of `from`, column to column (see {@link ItemBatch.pushFrom}); as {@link push}. */
  pushFrom(from: ItemBatch, i: number): ItemKind | undefined {
    const dropped = this.#makeRoom();
    const at = (this.#head + this.#length) % this.#series.length;
    this.#series[at] = from.series[i];
    this.#kind[at] = from.kind[i];
    this.#timestampMs[at] = from.timestampMs[i]!;
    this.#value[at] = from.value[i]!;
    this.#extra[at] = from.extra[i];
    this.#hash[at] = from.hash[i]!;
    this.#length++;
    return dropped;
  }

  /** Frees a slot for one more item: drops the oldest when full (returning its kind), else grows. */
  #makeRoom(): ItemKind | undefined {
    if (this.#length === this.capacity) return this.dropOldest();
    if (this.#length === this.#series.length) this.#grow();
    return undefined;
  }

  /** Removes the oldest item; returns its kind, or undefined when empty. */
  dropOldest(): ItemKind | undefined {
    if (this.#length === 0) return undefined;
    const kind = this.#kind[this.#head];
    this.#clear(this.#head);
    this.#head = (this.#head + 1) % this.#series.length;
    this.#length--;
    return kind;
  }

  /** Removes up to `n` oldest items and returns them, oldest first. */
  take(n: number): ItemBatch {
    const size = this.#series.length;
    const count = Math.min(n, this.#length);
    const out = new ItemBatch(count);
    for (let k = 0; k < count; k++) {
      const at = this.#head;
      // Column to column (see ItemBatch.pushFrom); `out` was made with room for `count`.
      out.series[k] = this.#series[at];
      out.kind[k] = this.#kind[at];
      out.timestampMs[k] = this.#timestampMs[at]!;
      out.value[k] = this.#value[at]!;
      out.extra[k] = this.#extra[at];
      out.hash[k] = this.#hash[at]!;
      this.#clear(at);
      this.#head = (at + 1) % size;
    }
    out.length = count;
    this.#length -= count;
    // Give back what a burst grew (the first scrapes of every target at start, an outage): a ring sized
    // for 100k items keeps ~5 MB of columns for good otherwise. Shrinking at one-eighth full leaves room
    // for the usual load to come back without growing at once.
    if (size > MIN_RING_SLOTS && this.#length * 8 <= size) {
      this.#resize(Math.max(MIN_RING_SLOTS, 2 ** Math.ceil(Math.log2(Math.max(1, this.#length * 4)))));
    }
    return out;
  }

  /** Column slots the ring currently has (grows up to `capacity`, shrinks after a burst). */
  get slots(): number {
    return this.#series.length;
  }

  /** Lets go of the objects a slot references, so a drained ring pins no series or exemplars. */
  #clear(at: number): void {
    this.#series[at] = undefined;
    this.#kind[at] = undefined;
    this.#extra[at] = undefined;
  }

  #grow(): void {
    this.#resize(Math.min(this.capacity, this.#series.length * 2));
  }

  /** Moves the items into columns of `size` slots (at least the item count), oldest first. */
  #resize(size: number): void {
    const old = this.#series.length;
    const series: (EncodedSeries | undefined)[] = new Array(size);
    const kind: (ItemKind | undefined)[] = new Array(size);
    const timestampMs = new Float64Array(size);
    const value = new Float64Array(size);
    const extra: ItemExtra[] = new Array(size);
    const hash = new Int32Array(size);
    for (let i = 0; i < this.#length; i++) {
      const from = (this.#head + i) % old;
      series[i] = this.#series[from];
      kind[i] = this.#kind[from];
      timestampMs[i] = this.#timestampMs[from]!;
      value[i] = this.#value[from]!;
      extra[i] = this.#extra[from];
      hash[i] = this.#hash[from]!;
    }
    this.#series = series;
    this.#kind = kind;
    this.#timestampMs = timestampMs;
    this.#value = value;
    this.#extra = extra;
    this.#hash = hash;
    this.#head = 0;
  }
}
