import type { Labels } from '@scrapewire/model';
import type { Exemplar, Metadata, NativeHistogram, SeriesRef } from './appender.js';

/**
 * What a series keeps beyond its newest float point, its metadata and its transaction bookkeeping: the
 * older points, the kinds of its non-float points and its exemplars. The agent (one point per series)
 * has none of it for nearly every series, so it is one object per series that needs it, created on
 * first use and dropped when empty (see `MemoryStorage`).
 */
export interface SeriesExtra {
  /** The points before the newest one, oldest first: doubles in two arrays, 16 bytes a point. */
  ts: number[];
  vs: number[];
  /** Timestamps of the staleness markers among all the series' points, the newest included. */
  stale: Set<number> | undefined;
  /** Histograms by timestamp, among all the series' points, the newest included. */
  hist: Map<number, NativeHistogram> | undefined;
  /** The newest exemplars, oldest first. */
  exemplars: Exemplar[] | undefined;
}

/** Slots the typed columns start with: small storages stay small. */
const MIN_CAPACITY = 64;
/** Below this many slots in use or freed, sparse columns are not worth compacting. */
const COMPACT_MIN_END = 1024;

/**
 * The series of a `MemoryStorage` as columns indexed by a slot number, with no object per series.
 *
 * Why: the agent keeps ~100k series of one point each, and one object per series cost 104 bytes (ten
 * fields and a header) plus two 16-byte boxes for the newest timestamp and value, which V8 makes for
 * any double held in an object field. Here a series costs one entry per column, 52 bytes in all: its
 * newest timestamp and value in a typed array of doubles (no boxes), three typed arrays of 32-bit
 * integers, and three plain arrays (its label set, its ref and its owning transaction). Metadata, which
 * most series have but share with the others of their metric family, and the rare {@link SeriesExtra}
 * are held once each and referred to by a 32-bit index. The typed columns grow by an eighth at a time:
 * growing is a copy when series are created, while spare room is paid for as long as the storage lives.
 *
 * A slot is live while `labels[slot]` is set. A series' ref is what callers hold and never changes; its
 * slot is internal, freed when the series is dropped and then reused by another series. Slots can also
 * move ({@link compactIfSparse}), so nothing may hold a slot across calls: transactions hold refs.
 *
 * @typeParam Owner - the transaction type of the `owner` column.
 */
export class SeriesColumns<Owner> {
  /** The label set of each slot; undefined for a free slot. */
  readonly labels: (Labels | undefined)[] = [];
  /**
   * The ref of each slot's series. A plain array rather than a typed one: refs are small integers, which
   * V8 keeps unboxed there, and a ref read from a Float64Array can come out boxed (a heap number) in
   * V8's less optimised tiers. Callers keep refs in their own objects, whose fields would then switch to
   * boxed doubles too.
   */
  readonly refs: SeriesRef[] = [];
  /**
   * The newest committed point of each slot: its timestamp at `2 * slot` (NaN while the series has
   * none) and its value at `2 * slot + 1` (NaN for a staleness marker or a histogram). One array for
   * the two, which a commit writes together: each typed array costs its own bounds check and loads.
   */
  newest = new Float64Array(2 * MIN_CAPACITY);
  /**
   * The open transaction that appended to the series last, and the index of its newest pending point
   * there: the appender's order checks read these instead of keeping a map entry per sample.
   */
  readonly owner: (Owner | undefined)[] = [];
  ownerIdx = new Int32Array(MIN_CAPACITY);
  /** Index into `#extras` (0 for none): see {@link extraAt}. */
  #extraId = new Int32Array(MIN_CAPACITY);
  /** Index into `#metas` (0 for none): see {@link metadataAt}. */
  #metaId = new Int32Array(MIN_CAPACITY);
  /** The extras in use by index (entry 0 unused), and the free indices below its length. */
  readonly #extras: (SeriesExtra | undefined)[] = [undefined];
  readonly #extrasFree: number[] = [];
  /** Distinct metadata objects in use by index (entry 0 unused), how many slots use each, free indices. */
  readonly #metas: (Metadata | undefined)[] = [undefined];
  readonly #metaUses: number[] = [0];
  readonly #metaIndex = new Map<Metadata, number>();
  readonly #metasFree: number[] = [];
  /** Freed slots below {@link end}, reused newest first. */
  #free: number[] = [];
  #end = 0;
  #live = 0;

  /** One past the highest slot handed out since the last compaction: iterate `0 <= slot < end`. */
  get end(): number {
    return this.#end;
  }

  /** Live slots. */
  get live(): number {
    return this.#live;
  }

  /** Slots the typed columns have room for. */
  get capacity(): number {
    return this.ownerIdx.length;
  }

  /** A slot for a new series without points: a freed one when there is one. */
  alloc(ref: SeriesRef, labels: Labels): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      const cap = this.ownerIdx.length;
      if (this.#end === cap) this.#resize(cap + Math.max(MIN_CAPACITY, cap >> 3));
      slot = this.#end++;
      // The reference columns grow by push, one past their end; V8 gives them half again as room.
      this.labels.push(labels);
      this.owner.push(undefined);
      this.refs.push(ref);
    } else {
      this.labels[slot] = labels;
    }
    this.refs[slot] = ref;
    this.newest[2 * slot] = Number.NaN;
    this.newest[2 * slot + 1] = Number.NaN;
    this.ownerIdx[slot] = -1;
    this.#live++;
    return slot;
  }

  /** Frees a live slot for reuse, dropping everything it referenced. */
  free(slot: number): void {
    this.setExtra(slot, undefined);
    this.setMetadata(slot, undefined);
    this.labels[slot] = undefined;
    this.owner[slot] = undefined;
    this.refs[slot] = 0;
    this.ownerIdx[slot] = -1;
    this.#free.push(slot);
    this.#live--;
  }

  /** The extras of a slot, if it has any. */
  extraAt(slot: number): SeriesExtra | undefined {
    const x = this.#extraId[slot]!;
    return x === 0 ? undefined : this.#extras[x];
  }

  /** Gives a slot extras, replacing any it had, or takes them away (`undefined`). */
  setExtra(slot: number, e: SeriesExtra | undefined): void {
    const x = this.#extraId[slot]!;
    if (x !== 0) {
      if (e !== undefined) {
        this.#extras[x] = e;
        return;
      }
      this.#extras[x] = undefined;
      this.#extrasFree.push(x);
      this.#extraId[slot] = 0;
    } else if (e !== undefined) {
      const y = this.#extrasFree.pop() ?? this.#extras.push(undefined) - 1;
      this.#extras[y] = e;
      this.#extraId[slot] = y;
    }
  }

  /** The metadata of a slot, if any was committed. */
  metadataAt(slot: number): Metadata | undefined {
    return this.#metas[this.#metaId[slot]!];
  }

  /**
   * Sets the metadata of a slot. Metadata objects are held once and counted per slot: a scrape hands the
   * same object to every series of a metric family, so an index costs less than a reference per slot.
   */
  setMetadata(slot: number, m: Metadata | undefined): void {
    const old = this.#metaId[slot]!;
    if (old !== 0 && this.#metas[old] === m) return;
    let id = 0;
    if (m !== undefined) {
      id = this.#metaIndex.get(m) ?? 0;
      if (id === 0) {
        id = this.#metasFree.pop() ?? this.#metas.push(undefined) - 1;
        this.#metas[id] = m;
        this.#metaUses[id] = 0;
        this.#metaIndex.set(m, id);
      }
      this.#metaUses[id]!++;
    }
    this.#metaId[slot] = id;
    if (old !== 0 && --this.#metaUses[old]! === 0) {
      this.#metaIndex.delete(this.#metas[old]!);
      this.#metas[old] = undefined;
      this.#metasFree.push(old);
    }
  }

  /** Distinct metadata objects held (for tests). */
  get metadataHeld(): number {
    return this.#metaIndex.size;
  }

  /** Extras held (for tests). */
  get extrasHeld(): number {
    return this.#extras.length - 1 - this.#extrasFree.length;
  }

  /**
   * When at most a quarter of a large range of slots is live (series came and went), moves the live
   * slots down, in order, and shrinks the columns to fit, so memory follows the live series rather than
   * the most there ever were. `moved(ref, slot)` is called for each series that changed slot.
   */
  compactIfSparse(moved: (ref: SeriesRef, slot: number) => void): void {
    const end = this.#end;
    if (end < COMPACT_MIN_END || this.#live * 4 > end) return;
    let w = 0;
    for (let r = 0; r < end; r++) {
      if (this.labels[r] === undefined) continue;
      if (r !== w) {
        this.labels[w] = this.labels[r];
        this.owner[w] = this.owner[r];
        this.refs[w] = this.refs[r]!;
        this.newest[2 * w] = this.newest[2 * r]!;
        this.newest[2 * w + 1] = this.newest[2 * r + 1]!;
        this.ownerIdx[w] = this.ownerIdx[r]!;
        this.#extraId[w] = this.#extraId[r]!;
        this.#metaId[w] = this.#metaId[r]!;
        moved(this.refs[w]!, w);
      }
      w++;
    }
    // Plain arrays shrink their backing store when cut to under half their length.
    this.labels.length = w;
    this.owner.length = w;
    this.refs.length = w;
    this.#free = [];
    this.#end = w;
    this.#resize(w + (w >> 3));
  }

  /** Reallocates the typed columns with room for `n` slots (at least the minimum), keeping `[0, end)`. */
  #resize(n: number): void {
    const cap = Math.max(MIN_CAPACITY, n);
    const end = this.#end;
    const newest = new Float64Array(2 * cap);
    const ownerIdx = new Int32Array(cap);
    const extraId = new Int32Array(cap);
    const metaId = new Int32Array(cap);
    newest.set(this.newest.subarray(0, 2 * end));
    ownerIdx.set(this.ownerIdx.subarray(0, end));
    extraId.set(this.#extraId.subarray(0, end));
    metaId.set(this.#metaId.subarray(0, end));
    this.newest = newest;
    this.ownerIdx = ownerIdx;
    this.#extraId = extraId;
    this.#metaId = metaId;
  }
}
