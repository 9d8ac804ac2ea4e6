import { InvalidOptionsError, type Labels, LabelsMap } from '@scrapewire/model';
import type { Appendable, Appender, Exemplar, Metadata, NativeHistogram, SeriesRef } from './appender.js';
import { StorageError, type StorageErrorCode } from './errors.js';
import { RefIndex } from './ref-index.js';
import { LabelMatcher, type LabelMatcherSpec, matchesAll } from './label-matcher.js';
import { type SeriesExtra, SeriesColumns } from './series-columns.js';

/** Options of {@link MemoryStorage}; every field is optional. */
export interface MemoryStorageOptions {
  /**
   * How much history each series keeps, measured back from the newest timestamp the storage has seen
   * (not the wall clock, so synthetic timestamps behave). Samples older than that are rejected as out
   * of bounds and trimmed from memory. @defaultValue 2 hours (the span of Prometheus's head block)
   */
  readonly retentionMs?: number;
  /** The most series kept at once; a new series beyond this is rejected (`SW_ERR_SERIES_LIMIT`). @defaultValue 100 000 */
  readonly maxSeries?: number;
  /** Exemplars kept per series, newest first out. @defaultValue 10 */
  readonly maxExemplarsPerSeries?: number;
  /**
   * The most points kept per series, newest first out. An agent that only federates the latest value
   * keeps 1, which bounds memory by the number of series rather than by retention × scrape rate.
   * @defaultValue unbounded (the retention window alone decides)
   */
  readonly maxPointsPerSeries?: number;
}

/** One stored point of a series: a float, a staleness marker or a native histogram. */
export interface SamplePoint {
  readonly timestampMs: number;
  /** The float value; `NaN` for a staleness marker and for a histogram point. */
  readonly value: number;
  /** True for a staleness marker (Prometheus's `StaleNaN`). */
  readonly stale: boolean;
  readonly histogram?: NativeHistogram;
}

/** A series with the points of a query. */
export interface SeriesPoints {
  readonly labels: Labels;
  readonly samples: readonly SamplePoint[];
}

/** A series with its newest point. */
export interface LatestSample {
  readonly labels: Labels;
  readonly sample: SamplePoint;
  readonly metadata?: Metadata;
}

/** Counters of what the storage accepted and rejected since it was created. */
export interface MemoryStorageStats {
  readonly series: number;
  readonly samplesAppended: number;
  readonly commits: number;
  readonly rollbacks: number;
  /** Rejections by error code (thrown from append, or found stale at commit time). */
  readonly rejected: Readonly<Partial<Record<StorageErrorCode, number>>>;
}

/** The exemplar label-set limit: 128 UTF-8 runes of names and values together, as in Prometheus. */
const EXEMPLAR_MAX_LABEL_RUNES = 128;
const DEFAULT_RETENTION_MS = 2 * 3600 * 1000;
const DEFAULT_MAX_SERIES = 100_000;
const DEFAULT_MAX_EXEMPLARS = 10;

/** The storage's series columns; `owner` holds the open transaction that appended to a series last. */
type Columns = SeriesColumns<MemoryAppender>;

/**
 * Kinds of a point. Nearly every point is a float, so the others are listed apart: a pending point's
 * kind by its index in its transaction's sets (see {@link pendingKind}), a committed one's by its
 * timestamp in its series' extras (see {@link kindAt}).
 */
const FLOAT = 0;
const STALE = 1;
const HISTOGRAM = 2;

/**
 * The points of a transaction as parallel arrays (one entry per point, no object per sample), the kinds
 * of its non-float points, and the rare exemplars and metadata updates as objects.
 */
interface PendingBatch {
  readonly points: PendingPoints;
  /** Histograms by point index. */
  readonly hists: ReadonlyMap<number, NativeHistogram> | undefined;
  /** Indices of the staleness markers. */
  readonly stale: ReadonlySet<number> | undefined;
  readonly others: readonly PendingOther[];
}

/** Points a {@link PendingPoints} has room for when new. */
const PENDING_MIN_CAPACITY = 64;

/**
 * A transaction's points as parallel arrays, one entry per point. A storage hands committed and rolled
 * back ones to the next transaction (see `MemoryStorage._pendingPoints`): filling fresh arrays per
 * scrape was most of a scrape's garbage in this store. Entries past `length` are left over from an
 * earlier transaction and overwritten as points come.
 *
 * A point names its series by ref, not by slot: a series may be dropped (and its slot reused) or moved
 * while the transaction is open, a ref never changes meaning. Its label set (the caller's, equal to the
 * series') is kept to find the series again by labels when its ref is gone by commit time. Refs are small integers in a plain array, which
 * V8 holds unboxed (a typed array of doubles would hand them out boxed in some tiers).
 */
class PendingPoints {
  readonly refs: SeriesRef[] = [];
  readonly labels: Labels[] = [];
  ts = new Float64Array(PENDING_MIN_CAPACITY);
  vs = new Float64Array(PENDING_MIN_CAPACITY);
  length = 0;

  /** Adds a point; returns its index. */
  push(ref: SeriesRef, labels: Labels, t: number, v: number): number {
    const i = this.length;
    if (i === this.ts.length) this.#grow();
    this.ts[i] = t;
    this.vs[i] = v;
    if (i < this.labels.length) {
      this.labels[i] = labels;
      this.refs[i] = ref;
    } else {
      this.labels.push(labels);
      this.refs.push(ref);
    }
    this.length = i + 1;
    return i;
  }

  #grow(): void {
    const n = this.ts.length * 2;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    ts.set(this.ts);
    vs.set(this.vs);
    this.ts = ts;
    this.vs = vs;
  }
}

/** The kind of pending point `i`: float unless it is among the staleness markers or the histograms. */
function pendingKind(
  floats: boolean,
  stale: ReadonlySet<number> | undefined,
  hists: ReadonlyMap<number, NativeHistogram> | undefined,
  i: number,
): number {
  if (floats) return FLOAT;
  if (stale?.has(i)) return STALE;
  return hists?.has(i) ? HISTOGRAM : FLOAT;
}

/** Spare {@link PendingPoints} a storage keeps; more are only needed while transactions overlap. */
const MAX_SPARE_POINTS = 4;

/** An exemplar or metadata update of a transaction, naming its series as a pending point does. */
type PendingOther =
  | {
      readonly kind: 'exemplar';
      readonly ref: SeriesRef;
      readonly labels: Labels;
      readonly exemplar: Exemplar;
    }
  | {
      readonly kind: 'metadata';
      readonly ref: SeriesRef;
      readonly labels: Labels;
      readonly metadata: Metadata;
    };

/** The kind of the committed point of the series in `slot` at timestamp `t`. */
function kindAt(c: Columns, slot: number, t: number): number {
  const e = c.extraAt(slot);
  if (e === undefined) return FLOAT;
  if (e.stale?.has(t)) return STALE;
  if (e.hist?.has(t)) return HISTOGRAM;
  return FLOAT;
}

/**
 * True when two points at the same timestamp carry the same value (so re-appending is a no-op), given
 * as kind, value and histogram. The same rule as comparing two SamplePoints, without building them.
 */
function sameValue(
  ka: number,
  va: number,
  ha: NativeHistogram | undefined,
  kb: number,
  vb: number,
  hb: NativeHistogram | undefined,
): boolean {
  if (ka === STALE || kb === STALE) return ka === kb;
  if (ka === HISTOGRAM || kb === HISTOGRAM)
    return ha !== undefined && hb !== undefined && JSON.stringify(ha) === JSON.stringify(hb);
  // Object.is treats NaN as equal to NaN, which is what "the same value" means here.
  return Object.is(va, vb);
}

/** A committed point of a series with extras `e` as a SamplePoint. */
function pointOf(e: SeriesExtra | undefined, t: number, v: number): SamplePoint {
  if (e === undefined) return { timestampMs: t, value: v, stale: false };
  const h = e.hist?.get(t);
  const stale = e.stale?.has(t) ?? false;
  return h ? { timestampMs: t, value: Number.NaN, stale, histogram: h } : { timestampMs: t, value: v, stale };
}

function lastPoint(c: Columns, slot: number): SamplePoint | undefined {
  const t = c.newest[2 * slot]!;
  return Number.isNaN(t) ? undefined : pointOf(c.extraAt(slot), t, c.newest[2 * slot + 1]!);
}

/** The extras of the series in `slot`, created on first need. */
function extraOf(c: Columns, slot: number): SeriesExtra {
  let e = c.extraAt(slot);
  if (e === undefined) {
    e = { ts: [], vs: [], stale: undefined, hist: undefined, exemplars: undefined };
    c.setExtra(slot, e);
  }
  return e;
}

/**
 * Forgets the kind entries older than `minT`, and the extras once they hold nothing, so a series that
 * went back to one float point costs no more than one that never left it.
 */
function tidyExtra(c: Columns, slot: number, e: SeriesExtra, minT: number): void {
  if (e.stale !== undefined) {
    for (const t of e.stale) if (t < minT) e.stale.delete(t);
    if (e.stale.size === 0) e.stale = undefined;
  }
  if (e.hist !== undefined) {
    for (const t of e.hist.keys()) if (t < minT) e.hist.delete(t);
    if (e.hist.size === 0) e.hist = undefined;
  }
  if (e.ts.length === 0 && e.stale === undefined && e.hist === undefined && e.exemplars === undefined)
    c.setExtra(slot, undefined);
}

function runeLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * An in-memory time-series store: the embedded default storage of the agent, and what tests and
 * examples append to and query.
 *
 * Each {@link Appender} is a transaction: nothing it appends is visible until `commit`, which applies
 * the whole batch at once (JavaScript runs it without interleaving), and `rollback` discards it. Like
 * Prometheus's head block, it rejects samples that are out of order, duplicate (same timestamp,
 * different value) or older than the retention window by throwing a {@link StorageError} from the
 * append call; the caller counts those and goes on. Memory is bounded by the retention window and by
 * `maxSeries`.
 */
export class MemoryStorage implements Appendable {
  readonly #retentionMs: number;
  readonly #maxSeries: number;
  readonly #maxExemplars: number;
  readonly #maxPoints: number;
  /** The committed series, one slot each (see SeriesColumns for the memory figures). */
  readonly #cols: Columns = new SeriesColumns<MemoryAppender>();
  /** Slots by label set. */
  readonly #byLabels: LabelsMap<number>;
  /** Slots by ref (a dense array for the sequential refs this storage hands out). */
  readonly #byRef = new RefIndex<number>();
  readonly #sparePoints: PendingPoints[] = [];
  /**
   * The next ref to hand out. Refs are never reused, so a ref a caller kept from a dropped series can
   * only miss (and fall back to its labels), never name the series that took over its slot.
   */
  #nextRef = 1;
  /** Newest timestamp committed; the retention window ends here. */
  #maxTimestampMs = Number.NEGATIVE_INFINITY;
  #lastGcAtMs = Number.NEGATIVE_INFINITY;
  #samplesAppended = 0;
  #commits = 0;
  #rollbacks = 0;
  readonly #rejected: Partial<Record<StorageErrorCode, number>> = {};

  constructor(options: MemoryStorageOptions = {}) {
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    this.#maxExemplars = options.maxExemplarsPerSeries ?? DEFAULT_MAX_EXEMPLARS;
    this.#maxPoints = options.maxPointsPerSeries ?? Number.POSITIVE_INFINITY;
    if (!(this.#retentionMs > 0))
      throw new InvalidOptionsError('retentionMs must be positive', 'retentionMs');
    if (!(this.#maxSeries >= 1)) throw new InvalidOptionsError('maxSeries must be at least 1', 'maxSeries');
    if (!(this.#maxExemplars >= 0))
      throw new InvalidOptionsError('maxExemplarsPerSeries must be >= 0', 'maxExemplarsPerSeries');
    if (!(this.#maxPoints >= 1))
      throw new InvalidOptionsError('maxPointsPerSeries must be at least 1', 'maxPointsPerSeries');
    const cols = this.#cols;
    this.#byLabels = new LabelsMap<number>((slot) => cols.labels[slot]!);
  }

  /** Starts a transaction. */
  appender(): Appender {
    return new MemoryAppender(this, this.#cols);
  }

  /** Every series (optionally only those matching all `matchers`), sorted by labels. */
  series(matchers: readonly (LabelMatcherSpec | LabelMatcher)[] = []): Labels[] {
    const ms = LabelMatcher.compileAll(matchers);
    const c = this.#cols;
    const out: Labels[] = [];
    for (let s = 0; s < c.end; s++) {
      const l = c.labels[s];
      if (l !== undefined && matchesAll(ms, l)) out.push(l);
    }
    return out.sort(compareLabels);
  }

  /**
   * The newest point of every matching series, sorted by labels. Series whose newest point is a
   * staleness marker are left out unless `includeStale` is set, as an instant query would.
   */
  latest(
    matchers: readonly (LabelMatcherSpec | LabelMatcher)[],
    options: { includeStale?: boolean } = {},
  ): LatestSample[] {
    const ms = LabelMatcher.compileAll(matchers);
    const c = this.#cols;
    const out: LatestSample[] = [];
    for (let s = 0; s < c.end; s++) {
      const labels = c.labels[s];
      if (labels === undefined) continue;
      const last = lastPoint(c, s);
      if (!last || (last.stale && !options.includeStale) || !matchesAll(ms, labels)) continue;
      const metadata = c.metadataAt(s);
      out.push(metadata ? { labels, sample: last, metadata } : { labels, sample: last });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /** The points of every matching series with `startMs <= t <= endMs` (staleness markers included). */
  range(
    matchers: readonly (LabelMatcherSpec | LabelMatcher)[],
    startMs: number,
    endMs: number,
  ): SeriesPoints[] {
    const ms = LabelMatcher.compileAll(matchers);
    const c = this.#cols;
    const out: SeriesPoints[] = [];
    for (let s = 0; s < c.end; s++) {
      const labels = c.labels[s];
      if (labels === undefined || !matchesAll(ms, labels)) continue;
      const samples: SamplePoint[] = [];
      const e = c.extraAt(s);
      if (e !== undefined) {
        for (let i = lowerBound(e.ts, startMs); i < e.ts.length && e.ts[i]! <= endMs; i++)
          samples.push(pointOf(e, e.ts[i]!, e.vs[i]!));
      }
      const lastT = c.newest[2 * s]!;
      if (lastT >= startMs && lastT <= endMs) samples.push(pointOf(e, lastT, c.newest[2 * s + 1]!));
      if (samples.length > 0) out.push({ labels, samples });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /** The exemplars kept for every matching series, oldest first. */
  exemplars(
    matchers: readonly (LabelMatcherSpec | LabelMatcher)[],
  ): { labels: Labels; exemplars: readonly Exemplar[] }[] {
    const ms = LabelMatcher.compileAll(matchers);
    const c = this.#cols;
    const out: { labels: Labels; exemplars: readonly Exemplar[] }[] = [];
    for (let s = 0; s < c.end; s++) {
      const labels = c.labels[s];
      const ex = c.extraAt(s)?.exemplars;
      if (labels !== undefined && ex !== undefined && ex.length > 0 && matchesAll(ms, labels))
        out.push({ labels, exemplars: [...ex] });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /** The metadata last committed for the series with exactly these labels. */
  metadata(labels: Labels): Metadata | undefined {
    const slot = this.#byLabels.get(labels);
    return slot === undefined ? undefined : this.#cols.metadataAt(slot);
  }

  /** Counters since creation. */
  stats(): MemoryStorageStats {
    return {
      series: this.#byLabels.size,
      samplesAppended: this.#samplesAppended,
      commits: this.#commits,
      rollbacks: this.#rollbacks,
      rejected: { ...this.#rejected },
    };
  }

  /** Drops points older than the retention window and series left empty. Runs by itself on commit. */
  gc(): void {
    const minT = this.#maxTimestampMs - this.#retentionMs;
    this.#lastGcAtMs = this.#maxTimestampMs;
    const c = this.#cols;
    for (let s = 0; s < c.end; s++) {
      const labels = c.labels[s];
      if (labels === undefined) continue;
      const gone = c.newest[2 * s]! < minT;
      if (gone) {
        // Every point is at or before the newest one, so all of them are gone.
        c.newest[2 * s] = Number.NaN;
        c.newest[2 * s + 1] = Number.NaN;
      }
      const e = c.extraAt(s);
      if (e !== undefined) {
        let trimmed = gone;
        if (gone) {
          e.ts = [];
          e.vs = [];
          e.stale = undefined;
          e.hist = undefined;
        } else {
          const cut = lowerBound(e.ts, minT);
          if (cut > 0) {
            // slice() also leaves arrays of their exact size, without the spare room push() grew.
            e.ts = e.ts.slice(cut);
            e.vs = e.vs.slice(cut);
            trimmed = true;
          }
        }
        const ex = e.exemplars;
        if (ex !== undefined && ex.length > 0 && (ex[0]!.timestampMs ?? minT) < minT) {
          const kept = ex.filter((x) => (x.timestampMs ?? minT) >= minT);
          e.exemplars = kept.length > 0 ? kept : undefined;
          trimmed = true;
        }
        if (trimmed) tidyExtra(c, s, e, minT);
      }
      if (Number.isNaN(c.newest[2 * s]!) && c.extraAt(s)?.exemplars === undefined) {
        this.#byLabels.delete(labels);
        this.#byRef.delete(c.refs[s]!);
        // Free for the next new series; the ref goes with the series and is not handed out again.
        c.free(s);
      }
    }
    // Refs are never reused, so with churn the ref array fills with holes: compacting keeps memory
    // proportional to the live series, and the common (new enough) refs keep the array lookup.
    this.#byRef.compactIfSparse();
    // Freed slots are reused, but after a wave of series came and went most may stay free: move the
    // live ones down and shrink the columns. Only the maps hold slots across calls (transactions hold
    // refs), so only they need telling.
    c.compactIfSparse((ref, slot) => {
      this.#byRef.set(ref, slot);
      this.#byLabels.set(c.labels[slot]!, slot);
    });
  }

  /** @internal For tests: the series columns (slots in use, capacity, extras and metadata held). */
  get _columns(): SeriesColumns<unknown> {
    return this.#cols;
  }

  // ---- used by MemoryAppender ----

  /** @internal */
  _countReject(code: StorageErrorCode): void {
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
  }

  /** @internal The slot of the committed series with ref `ref`, if any (its labels are for the caller to check). */
  _slotByRef(ref: SeriesRef): number | undefined {
    return this.#byRef.get(ref);
  }

  /** @internal The slot of the committed series with these labels, if any. */
  _slotByLabels(labels: Labels): number | undefined {
    return this.#byLabels.get(labels);
  }

  /**
   * @internal A ref for a new, not yet visible series; counts against the limit together with
   * `pendingNew`. The series gets a slot when its transaction commits (see `#resolve`), so one that is
   * rolled back or never committed takes no room in the columns.
   */
  _newRef(labels: Labels, pendingNew: number): SeriesRef {
    if (this.#byLabels.size + pendingNew >= this.#maxSeries) {
      this._countReject('SW_ERR_SERIES_LIMIT');
      throw new StorageError(
        'SW_ERR_SERIES_LIMIT',
        `series limit of ${this.#maxSeries} reached; series ${labels} rejected`,
      );
    }
    return this.#nextRef++;
  }

  /** @internal The oldest timestamp still accepted. */
  _minValidTimestampMs(): number {
    return this.#maxTimestampMs - this.#retentionMs;
  }

  /**
   * The slot for a pending point or update whose ref is not (or no longer) registered: a series created
   * by its transaction, or one dropped since the transaction appended to it. Another transaction may
   * meanwhile have created the series; the ref is then not registered, and a caller passing it back
   * misses, finds the series by labels and gets the committed series' ref in return, as it would have
   * through an alias. Otherwise the series gets a slot and is registered under the ref.
   */
  #resolve(ref: SeriesRef, labels: Labels): number {
    const s = this.#byLabels.get(labels);
    if (s !== undefined) return s;
    const slot = this.#cols.alloc(ref, labels);
    this.#byLabels.set(labels, slot);
    this.#byRef.set(ref, slot);
    return slot;
  }

  /** @internal Applies a committed transaction in one go. */
  _apply(batch: PendingBatch, from: MemoryAppender): void {
    this.#commits++;
    const { points, hists, stale } = batch;
    const { refs, labels, ts, vs } = points;
    // Float points only (nearly every transaction): no kind to look up per point.
    const floats = hists === undefined && stale === undefined;
    const c = this.#cols;
    const byRef = this.#byRef;
    const maxPoints = this.#maxPoints;
    let maxT = this.#maxTimestampMs;
    let appended = 0;
    // The columns in locals: a new slot may grow (replace) the typed ones, so they are read again then.
    const owner = c.owner;
    let newest = c.newest;
    for (let i = 0; i < points.length; i++) {
      const ref = refs[i]!;
      let s = byRef.get(ref);
      if (s === undefined) {
        s = this.#resolve(ref, labels[i]!);
        newest = c.newest;
      }
      if (owner[s] === from) owner[s] = undefined;
      const t = ts[i]!;
      const lastT = newest[2 * s]!;
      // False while the series has no point (lastT is NaN).
      if (t <= lastT) {
        // Re-checked here because another transaction may have committed newer points since append.
        if (t < lastT) {
          this._countReject('SW_ERR_OUT_OF_ORDER_SAMPLE');
        } else {
          const k = kindAt(c, s, t);
          if (
            !sameValue(
              k,
              c.newest[2 * s + 1]!,
              k === HISTOGRAM ? c.extraAt(s)!.hist!.get(t) : undefined,
              pendingKind(floats, stale, hists, i),
              vs[i]!,
              hists?.get(i),
            )
          )
            this._countReject('SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP');
        }
        continue;
      }
      if (!Number.isNaN(lastT)) {
        if (maxPoints === 1) {
          // The agent's case: the new point replaces the old one; only its kind entry, if any, goes.
          const e = c.extraAt(s);
          if (e !== undefined) tidyExtra(c, s, e, t);
        } else {
          keepInHistory(c, s, maxPoints);
        }
      }
      newest[2 * s] = t;
      newest[2 * s + 1] = vs[i]!;
      const kind = pendingKind(floats, stale, hists, i);
      if (kind === STALE) {
        const e = extraOf(c, s);
        e.stale ??= new Set();
        e.stale.add(t);
      } else if (kind === HISTOGRAM) {
        const e = extraOf(c, s);
        e.hist ??= new Map();
        e.hist.set(t, hists!.get(i)!);
      }
      appended++;
      if (t > maxT) maxT = t;
    }
    this.#samplesAppended += appended;
    this.#maxTimestampMs = maxT;
    // Exemplars and metadata touch other fields than points do, so applying them after the points
    // gives the same result as applying everything in append order.
    for (const op of batch.others) {
      const s = byRef.get(op.ref) ?? this.#resolve(op.ref, op.labels);
      if (op.kind === 'exemplar') {
        if (this.#maxExemplars === 0) continue;
        const e = extraOf(c, s);
        const ex = e.exemplars;
        if (ex === undefined) {
          // A literal of one holds no spare room, unlike a push onto an empty array.
          e.exemplars = [op.exemplar];
        } else {
          ex.push(op.exemplar);
          if (ex.length > this.#maxExemplars) ex.splice(0, ex.length - this.#maxExemplars);
        }
      } else {
        c.setMetadata(s, op.metadata);
      }
    }
    this._releasePendingPoints(points);
    // Trimming walks every series, so do it once a tenth of the retention has passed, not per commit.
    if (this.#maxTimestampMs - this.#lastGcAtMs >= this.#retentionMs / 10) this.gc();
  }

  /** @internal Discards a rolled-back transaction, releasing the series it owned (so they do not keep it reachable). */
  _rolledBack(points: PendingPoints, from: MemoryAppender): void {
    this.#rollbacks++;
    const c = this.#cols;
    for (let i = 0; i < points.length; i++) {
      const s = this.#byRef.get(points.refs[i]!);
      if (s !== undefined && c.owner[s] === from) c.owner[s] = undefined;
    }
    this._releasePendingPoints(points);
  }

  /** @internal Arrays for a new transaction's points: a spare one when there is one. */
  _pendingPoints(): PendingPoints {
    return this.#sparePoints.pop() ?? new PendingPoints();
  }

  /** @internal Takes back a finished transaction's arrays for the next one. */
  _releasePendingPoints(points: PendingPoints): void {
    points.length = 0;
    if (this.#sparePoints.length < MAX_SPARE_POINTS) this.#sparePoints.push(points);
  }
}

/** Orders label sets as Prometheus does (name, then value, label by label). */
function compareLabels(a: Labels, b: Labels): number {
  const x = a.toFlat();
  const y = b.toFlat();
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length - y.length;
}

/** Up to this many points, a full history shifts its points down in place instead of splicing. */
const SHIFT_IN_PLACE_MAX = 32;

/**
 * Moves the newest point of the series in `slot` into its history before a newer one replaces it,
 * dropping the oldest point when the history is full (it holds `maxPoints - 1` points), with its kind
 * entries.
 */
function keepInHistory(c: Columns, slot: number, maxPoints: number): void {
  const e = extraOf(c, slot);
  const lastT = c.newest[2 * slot]!;
  const lastV = c.newest[2 * slot + 1]!;
  const { ts, vs } = e;
  const n = ts.length;
  if (n === 0) {
    // Literals of one hold no spare room; a push onto an empty array reserves 17 slots.
    e.ts = [lastT];
    e.vs = [lastV];
    return;
  }
  if (n + 1 < maxPoints) {
    ts.push(lastT);
    vs.push(lastV);
    return;
  }
  if (n <= SHIFT_IN_PLACE_MAX) {
    // A short capped history keeps its exact size: no push growing it by half again, no splice.
    for (let i = 1; i < n; i++) {
      ts[i - 1] = ts[i]!;
      vs[i - 1] = vs[i]!;
    }
    ts[n - 1] = lastT;
    vs[n - 1] = lastV;
  } else {
    ts.push(lastT);
    vs.push(lastV);
    ts.splice(0, 1);
    vs.splice(0, 1);
  }
  tidyExtra(c, slot, e, ts[0]!);
}

/** Index of the first timestamp `>= t`. */
function lowerBound(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The series a transaction created and has not committed yet, by index `k` (which the appender hands
 * around as `~k`, a negative number, beside the non-negative slots of committed series). They get a
 * slot only at commit, so a transaction that is rolled back or dropped leaves nothing in the columns.
 */
class NewSeries {
  readonly labels: Labels[] = [];
  readonly refs: SeriesRef[] = [];
  /** The index of each series' newest pending point; -1 while it has none (metadata or exemplar only). */
  readonly idx: number[] = [];
  readonly byLabels = new LabelsMap<number>((k) => this.labels[k]!);
  readonly byRef = new Map<SeriesRef, number>();
}

/** One transaction against a {@link MemoryStorage}. */
class MemoryAppender implements Appender {
  readonly #storage: MemoryStorage;
  readonly #cols: Columns;
  /** Pending points, taken from the storage when the first point comes. */
  #points: PendingPoints | undefined;
  #hists: Map<number, NativeHistogram> | undefined;
  /** Indices of the pending staleness markers. */
  #stale: Set<number> | undefined;
  #others: PendingOther[] = [];
  /** Series this transaction created; made when the first one is (not per scrape). */
  #new: NewSeries | undefined;
  /**
   * The index of the newest pending point per series (by ref) whose `owner` another transaction took
   * over since this one appended to it (rare: two open transactions writing the same series).
   */
  #spilled: Map<SeriesRef, number> | undefined;
  /** The newest exemplar appended or committed per series (by ref), for its order checks. */
  #pendingExemplar: Map<SeriesRef, Exemplar> | undefined;
  #done = false;

  constructor(storage: MemoryStorage, cols: Columns) {
    this.#storage = storage;
    this.#cols = cols;
  }

  /** @internal Another transaction took over series `ref`; remember this one's newest pending point for it. */
  _spill(ref: SeriesRef, idx: number): void {
    if (this.#done) return;
    this.#spilled ??= new Map();
    this.#spilled.set(ref, idx);
  }

  /**
   * The slot of a committed series named by a ref the caller got back before (nearly every sample), or
   * -1. A hit is the series' own ref: the index maps each series' ref to its slot.
   */
  #committedByRef(ref: SeriesRef, labels: Labels): number {
    if (ref === 0 || this.#done) return -1;
    const s = this.#storage._slotByRef(ref);
    if (s === undefined) return -1;
    const l = this.#cols.labels[s]!;
    return l === labels || l.equals(labels) ? s : -1;
  }

  /** The series: its slot if committed, else `~k` for the `k`th series this transaction created. */
  #lookup(ref: SeriesRef, labels: Labels): number {
    const s = this.#committedByRef(ref, labels);
    return s >= 0 ? s : this.#lookupSlow(ref, labels);
  }

  /** {@link #lookup} for all but a committed series named by its ref. */
  #lookupSlow(ref: SeriesRef, labels: Labels): number {
    if (this.#done) throw new Error('appender already committed or rolled back');
    // A ref names either a committed series or one this transaction created, never both.
    const k = ref === 0 ? undefined : this.#new?.byRef.get(ref);
    if (k !== undefined) {
      const l = this.#new!.labels[k]!;
      if (l === labels || l.equals(labels)) return ~k;
    }
    const s = this.#storage._slotByLabels(labels);
    if (s !== undefined) return s;
    this.#new ??= new NewSeries();
    const fresh = this.#new;
    let n = fresh.byLabels.get(labels);
    if (n === undefined) {
      const r = this.#storage._newRef(labels, fresh.byLabels.size);
      n = fresh.labels.length;
      fresh.labels.push(labels);
      fresh.refs.push(r);
      fresh.idx.push(-1);
      fresh.byLabels.set(labels, n);
      fresh.byRef.set(r, n);
    }
    return ~n;
  }

  #refOf(id: number): SeriesRef {
    return id >= 0 ? this.#cols.refs[id]! : this.#new!.refs[~id]!;
  }

  #labelsOf(id: number): Labels {
    return id >= 0 ? this.#cols.labels[id]! : this.#new!.labels[~id]!;
  }

  #reject(code: StorageErrorCode, message: string): never {
    this.#storage._countReject(code);
    throw new StorageError(code, message);
  }

  /**
   * Rejects a point older than the retention window. Written so that a NaN timestamp fails too: it would
   * break the ordering every check relies on.
   */
  #checkBounds(t: number, labels: Labels): void {
    if (!(t >= this.#storage._minValidTimestampMs())) {
      this.#reject('SW_ERR_OUT_OF_BOUNDS', `sample at ${t} for ${labels} is older than the retention window`);
    }
  }

  #appendPoint(
    ref: SeriesRef,
    labels: Labels,
    t: number,
    value: number,
    kind: number,
    histogram: NativeHistogram | undefined,
  ): SeriesRef {
    let id = this.#committedByRef(ref, labels);
    let sref = ref;
    if (id < 0) {
      id = this.#lookupSlow(ref, labels);
      if (id < 0) {
        this.#checkBounds(t, labels);
        return this.#appendToNew(~id, labels, t, value, kind, histogram);
      }
      sref = this.#cols.refs[id]!;
    }
    this.#checkBounds(t, labels);
    // A committed series from here on.
    const c = this.#cols;
    const owner = c.owner[id];
    // The newest point so far: this transaction's pending one for the series, else the committed one.
    const pi =
      owner === this ? c.ownerIdx[id]! : this.#spilled === undefined ? -1 : (this.#spilled.get(sref) ?? -1);
    if (pi >= 0) {
      if (t <= this.#points!.ts[pi]!) {
        this.#rejectUnlessSameAsPending(pi, labels, t, value, kind, histogram);
        return sref;
      }
    } else {
      // NaN while the series has no point, which no comparison matches.
      const lastT = c.newest[2 * id]!;
      if (t <= lastT) {
        const k = kindAt(c, id, lastT);
        const h = k === HISTOGRAM ? c.extraAt(id)!.hist!.get(lastT) : undefined;
        this.#rejectUnlessSame(lastT, k, c.newest[2 * id + 1]!, h, labels, t, value, kind, histogram);
        return sref;
      }
    }
    const idx = this.#push(sref, labels, t, value, kind, histogram);
    if (owner !== this) {
      if (owner !== undefined) owner._spill(sref, c.ownerIdx[id]!);
      c.owner[id] = this;
    }
    c.ownerIdx[id] = idx;
    return sref;
  }

  /** {@link #appendPoint} for the `k`th series this transaction created (no committed point). */
  #appendToNew(
    k: number,
    labels: Labels,
    t: number,
    value: number,
    kind: number,
    histogram: NativeHistogram | undefined,
  ): SeriesRef {
    const fresh = this.#new!;
    const sref = fresh.refs[k]!;
    const pi = fresh.idx[k]!;
    if (pi >= 0 && t <= this.#points!.ts[pi]!) {
      this.#rejectUnlessSameAsPending(pi, labels, t, value, kind, histogram);
      return sref;
    }
    fresh.idx[k] = this.#push(sref, labels, t, value, kind, histogram);
    return sref;
  }

  /** {@link #rejectUnlessSame} against this transaction's pending point `pi`. */
  #rejectUnlessSameAsPending(
    pi: number,
    labels: Labels,
    t: number,
    value: number,
    kind: number,
    histogram: NativeHistogram | undefined,
  ): void {
    const pp = this.#points!;
    const k = pendingKind(false, this.#stale, this.#hists, pi);
    const h = k === HISTOGRAM ? this.#hists!.get(pi) : undefined;
    this.#rejectUnlessSame(pp.ts[pi]!, k, pp.vs[pi]!, h, labels, t, value, kind, histogram);
  }

  /**
   * For a point at `t <= lastT`, the newest point so far: accepts it as a no-op when it repeats that
   * point, else throws (out of order, or another value at the same timestamp).
   */
  #rejectUnlessSame(
    lastT: number,
    lastK: number,
    lastV: number,
    lastH: NativeHistogram | undefined,
    labels: Labels,
    t: number,
    value: number,
    kind: number,
    histogram: NativeHistogram | undefined,
  ): void {
    if (t < lastT) {
      this.#reject(
        'SW_ERR_OUT_OF_ORDER_SAMPLE',
        `out of order sample at ${t} for ${labels} (newest is ${lastT})`,
      );
    }
    if (sameValue(lastK, lastV, lastH, kind, value, histogram)) return;
    this.#reject(
      'SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP',
      `duplicate sample for timestamp ${t} for ${labels}`,
    );
  }

  /** Adds a pending point with its kind; returns its index. */
  #push(
    sref: SeriesRef,
    labels: Labels,
    t: number,
    value: number,
    kind: number,
    histogram: NativeHistogram | undefined,
  ): number {
    this.#points ??= this.#storage._pendingPoints();
    const idx = this.#points.push(sref, labels, t, value);
    if (kind === STALE) {
      this.#stale ??= new Set();
      this.#stale.add(idx);
    } else if (histogram !== undefined) {
      this.#hists ??= new Map();
      this.#hists.set(idx, histogram);
    }
    return idx;
  }

  append(ref: SeriesRef, labels: Labels, timestampMs: number, value: number): SeriesRef {
    return this.#appendPoint(ref, labels, timestampMs, value, FLOAT, undefined);
  }

  appendStale(ref: SeriesRef, labels: Labels, timestampMs: number): SeriesRef {
    return this.#appendPoint(ref, labels, timestampMs, Number.NaN, STALE, undefined);
  }

  appendHistogram(
    ref: SeriesRef,
    labels: Labels,
    timestampMs: number,
    histogram: NativeHistogram,
  ): SeriesRef {
    return this.#appendPoint(ref, labels, timestampMs, Number.NaN, HISTOGRAM, histogram);
  }

  appendExemplar(ref: SeriesRef, labels: Labels, exemplar: Exemplar): SeriesRef {
    const id = this.#lookup(ref, labels);
    let runes = 0;
    exemplar.labels.forEach((n, v) => {
      runes += runeLength(n) + runeLength(v);
    });
    if (runes > EXEMPLAR_MAX_LABEL_RUNES) {
      this.#reject(
        'SW_ERR_EXEMPLAR_LABEL_LENGTH',
        `exemplar labels of ${labels} exceed ${EXEMPLAR_MAX_LABEL_RUNES} runes`,
      );
    }
    const sref = this.#refOf(id);
    const committed = id >= 0 ? this.#cols.extraAt(id)?.exemplars : undefined;
    const last = this.#pendingExemplar?.get(sref) ?? committed?.[committed.length - 1];
    if (last && exemplar.timestampMs !== undefined && last.timestampMs !== undefined) {
      if (exemplar.timestampMs < last.timestampMs) {
        this.#reject(
          'SW_ERR_OUT_OF_ORDER_EXEMPLAR',
          `out of order exemplar at ${exemplar.timestampMs} for ${labels}`,
        );
      }
      if (exemplar.timestampMs === last.timestampMs) {
        if (Object.is(exemplar.value, last.value) && exemplar.labels.equals(last.labels)) {
          this.#reject('SW_ERR_DUPLICATE_EXEMPLAR', `duplicate exemplar for ${labels}`);
        }
      }
    }
    this.#pendingExemplar ??= new Map();
    this.#pendingExemplar.set(sref, exemplar);
    this.#others.push({ kind: 'exemplar', ref: sref, labels: this.#labelsOf(id), exemplar });
    return sref;
  }

  updateMetadata(ref: SeriesRef, labels: Labels, metadata: Metadata): SeriesRef {
    const id = this.#lookup(ref, labels);
    const sref = this.#refOf(id);
    this.#others.push({ kind: 'metadata', ref: sref, labels: this.#labelsOf(id), metadata });
    return sref;
  }

  /** Hands the transaction's points over (once: commit and rollback end the transaction). */
  #take(): PendingBatch {
    const batch: PendingBatch = {
      points: this.#points ?? this.#storage._pendingPoints(),
      hists: this.#hists,
      stale: this.#stale,
      others: this.#others,
    };
    this.#points = undefined;
    this.#hists = undefined;
    this.#stale = undefined;
    this.#others = [];
    this.#new = undefined;
    this.#spilled = undefined;
    this.#pendingExemplar = undefined;
    return batch;
  }

  async commit(): Promise<void> {
    if (this.#done) throw new Error('appender already committed or rolled back');
    this.#done = true;
    this.#storage._apply(this.#take(), this);
  }

  async rollback(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    this.#storage._rolledBack(this.#take().points, this);
  }
}
