import { InvalidOptionsError, type Labels, LabelsMap } from '@scrapewire/model';
import type { Appendable, Appender, Exemplar, Metadata, NativeHistogram, SeriesRef } from './appender.js';
import { StorageError, type StorageErrorCode } from './errors.js';
import { RefIndex } from './ref-index.js';
import { LabelMatcher, type LabelMatcherSpec, matchesAll } from './label-matcher.js';

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

/**
 * One series. Every field is set when the object is built, so all series share one hidden class; what
 * most series never need (history, exemplars) is allocated on first use, because the agent keeps one
 * point for ~100k series and each empty array costs more than the point it stands next to.
 */
interface MemSeries {
  readonly ref: SeriesRef;
  /** Its label set, by which the storage's map finds it (see LabelsMap). */
  readonly labels: Labels;
  /**
   * The newest point, inline: with `maxPointsPerSeries: 1` it is the whole series. `lastT` is NaN while
   * the series has no point, which makes the order checks against it pass without a separate test.
   */
  lastT: number;
  lastV: number;
  /** The older points and the non-float kinds; undefined while the series is at most one float point. */
  more: PointHistory | undefined;
  exemplars: Exemplar[] | undefined;
  metadata: Metadata | undefined;
  /** True while the series is in the storage's maps; lets commit skip the lookup by key. */
  live: boolean;
  /**
   * The open transaction that appended to this series last, and the index of its newest pending point
   * there: the appender's order checks read it instead of keeping a map entry per sample. Another
   * transaction that appends to the same series takes it over and hands the index back to the previous
   * owner (see `MemoryAppender._spill`).
   */
  owner: MemoryAppender | undefined;
  ownerIdx: number;
}

/**
 * What a series keeps beyond its newest float point. Timestamps and values as two arrays of doubles
 * (16 bytes a point) rather than one object per point; the rare staleness markers and histograms by
 * timestamp beside them; SamplePoint objects are only built for query results.
 */
interface PointHistory {
  /** The points before the newest one, oldest first; empty when only the kind sets are needed. */
  ts: number[];
  vs: number[];
  /** Timestamps of the staleness markers among all the series' points, the newest included. */
  stale: Set<number> | undefined;
  /** Histograms by timestamp, among all the series' points, the newest included. */
  hist: Map<number, NativeHistogram> | undefined;
}

/** Kinds of a pending point, kept in a number array beside its timestamp and value. */
const FLOAT = 0;
const STALE = 1;
const HISTOGRAM = 2;

/**
 * The points of a transaction as parallel arrays (one entry per point, no object per sample), plus the
 * rare exemplars and metadata updates as objects.
 */
interface PendingBatch {
  readonly points: PendingPoints;
  /** Histograms by point index. */
  readonly hists: ReadonlyMap<number, NativeHistogram> | undefined;
  readonly others: readonly PendingOther[];
}

/**
 * A transaction's points as parallel arrays, one entry per point. A storage hands committed and rolled
 * back ones to the next transaction (see `MemoryStorage._pendingPoints`): filling fresh arrays by `push`
 * reallocated each one several times per scrape, most of a scrape's garbage in this store. Entries past
 * `length` are left over from an earlier transaction and overwritten as points come.
 */
class PendingPoints {
  readonly series: MemSeries[] = [];
  readonly ts: number[] = [];
  readonly vs: number[] = [];
  readonly kinds: number[] = [];
  length = 0;

  /** Adds a point; returns its index. */
  push(s: MemSeries, t: number, v: number, kind: number): number {
    const i = this.length++;
    if (i < this.series.length) {
      this.series[i] = s;
      this.ts[i] = t;
      this.vs[i] = v;
      this.kinds[i] = kind;
    } else {
      this.series.push(s);
      this.ts.push(t);
      this.vs.push(v);
      this.kinds.push(kind);
    }
    return i;
  }
}

/** Spare {@link PendingPoints} a storage keeps; more are only needed while transactions overlap. */
const MAX_SPARE_POINTS = 4;

type PendingOther =
  | { readonly kind: 'exemplar'; readonly series: MemSeries; readonly exemplar: Exemplar }
  | { readonly kind: 'metadata'; readonly series: MemSeries; readonly metadata: Metadata };

/** The kind of the committed point of a series at timestamp `t`. */
function kindAt(s: MemSeries, t: number): number {
  const m = s.more;
  if (m === undefined) return FLOAT;
  if (m.stale?.has(t)) return STALE;
  if (m.hist?.has(t)) return HISTOGRAM;
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

/** A committed point of a series as a SamplePoint. */
function pointOf(s: MemSeries, t: number, v: number): SamplePoint {
  const m = s.more;
  if (m === undefined) return { timestampMs: t, value: v, stale: false };
  const h = m.hist?.get(t);
  const stale = m.stale?.has(t) ?? false;
  return h ? { timestampMs: t, value: Number.NaN, stale, histogram: h } : { timestampMs: t, value: v, stale };
}

function lastPoint(s: MemSeries): SamplePoint | undefined {
  return Number.isNaN(s.lastT) ? undefined : pointOf(s, s.lastT, s.lastV);
}

/** The history of a series, created on first need. */
function historyOf(s: MemSeries): PointHistory {
  s.more ??= { ts: [], vs: [], stale: undefined, hist: undefined };
  return s.more;
}

/**
 * Forgets the kind entries older than `minT` and the history object once it holds nothing, so a series
 * that went back to one float point costs no more than one that never left it.
 */
function tidyHistory(s: MemSeries, m: PointHistory, minT: number): void {
  if (m.stale !== undefined) {
    for (const t of m.stale) if (t < minT) m.stale.delete(t);
    if (m.stale.size === 0) m.stale = undefined;
  }
  if (m.hist !== undefined) {
    for (const t of m.hist.keys()) if (t < minT) m.hist.delete(t);
    if (m.hist.size === 0) m.hist = undefined;
  }
  if (m.ts.length === 0 && m.stale === undefined && m.hist === undefined) s.more = undefined;
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
  readonly #byLabels = new LabelsMap<MemSeries>((s) => s.labels);
  readonly #sparePoints: PendingPoints[] = [];
  /** Committed series by ref (a dense array for the sequential refs this storage hands out). */
  readonly #byRef = new RefIndex<MemSeries>();
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
  }

  /** Starts a transaction. */
  appender(): Appender {
    return new MemoryAppender(this);
  }

  /** Every series (optionally only those matching all `matchers`), sorted by labels. */
  series(matchers: readonly (LabelMatcherSpec | LabelMatcher)[] = []): Labels[] {
    const ms = LabelMatcher.compileAll(matchers);
    const out: Labels[] = [];
    for (const s of this.#byLabels.values()) if (matchesAll(ms, s.labels)) out.push(s.labels);
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
    const out: LatestSample[] = [];
    for (const s of this.#byLabels.values()) {
      const last = lastPoint(s);
      if (!last || (last.stale && !options.includeStale) || !matchesAll(ms, s.labels)) continue;
      out.push(
        s.metadata
          ? { labels: s.labels, sample: last, metadata: s.metadata }
          : { labels: s.labels, sample: last },
      );
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
    const out: SeriesPoints[] = [];
    for (const s of this.#byLabels.values()) {
      if (!matchesAll(ms, s.labels)) continue;
      const samples: SamplePoint[] = [];
      const m = s.more;
      if (m !== undefined) {
        for (let i = lowerBound(m.ts, startMs); i < m.ts.length && m.ts[i]! <= endMs; i++)
          samples.push(pointOf(s, m.ts[i]!, m.vs[i]!));
      }
      if (s.lastT >= startMs && s.lastT <= endMs) samples.push(pointOf(s, s.lastT, s.lastV));
      if (samples.length > 0) out.push({ labels: s.labels, samples });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /** The exemplars kept for every matching series, oldest first. */
  exemplars(
    matchers: readonly (LabelMatcherSpec | LabelMatcher)[],
  ): { labels: Labels; exemplars: readonly Exemplar[] }[] {
    const ms = LabelMatcher.compileAll(matchers);
    const out: { labels: Labels; exemplars: readonly Exemplar[] }[] = [];
    for (const s of this.#byLabels.values()) {
      if (s.exemplars !== undefined && s.exemplars.length > 0 && matchesAll(ms, s.labels))
        out.push({ labels: s.labels, exemplars: [...s.exemplars] });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /** The metadata last committed for the series with exactly these labels. */
  metadata(labels: Labels): Metadata | undefined {
    return this.#byLabels.get(labels)?.metadata;
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
    for (const s of this.#byLabels.values()) {
      const m = s.more;
      if (s.lastT < minT) {
        // Every point is at or before the newest one, so all of them are gone.
        s.lastT = Number.NaN;
        s.lastV = Number.NaN;
        s.more = undefined;
      } else if (m !== undefined) {
        const cut = lowerBound(m.ts, minT);
        if (cut > 0) {
          // slice() also leaves arrays of their exact size, without the spare room push() grew.
          m.ts = m.ts.slice(cut);
          m.vs = m.vs.slice(cut);
          tidyHistory(s, m, minT);
        }
      }
      const ex = s.exemplars;
      if (ex !== undefined && ex.length > 0 && (ex[0]!.timestampMs ?? minT) < minT) {
        const kept = ex.filter((e) => (e.timestampMs ?? minT) >= minT);
        s.exemplars = kept.length > 0 ? kept : undefined;
      }
      if (Number.isNaN(s.lastT) && (s.exemplars === undefined || s.exemplars.length === 0)) {
        s.live = false;
        this.#byLabels.delete(s.labels);
        this.#byRef.delete(s.ref);
      }
    }
    // Refs are never reused, so with churn the ref array fills with holes: compacting keeps memory
    // proportional to the live series, and the common (new enough) refs keep the array lookup.
    this.#byRef.compactIfSparse();
  }

  // ---- used by MemoryAppender ----

  /** @internal */
  _countReject(code: StorageErrorCode): void {
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
  }

  /** @internal The committed series with ref `ref`, if any (its labels are for the caller to check). */
  _byRef(ref: SeriesRef): MemSeries | undefined {
    return this.#byRef.get(ref);
  }

  /** @internal The committed series with these labels, if any. */
  _byLabels(labels: Labels): MemSeries | undefined {
    return this.#byLabels.get(labels);
  }

  /** @internal A new, not yet visible series; counts against the limit together with `pendingNew`. */
  _newSeries(labels: Labels, pendingNew: number): MemSeries {
    if (this.#byLabels.size + pendingNew >= this.#maxSeries) {
      this._countReject('SW_ERR_SERIES_LIMIT');
      throw new StorageError(
        'SW_ERR_SERIES_LIMIT',
        `series limit of ${this.#maxSeries} reached; series ${labels} rejected`,
      );
    }
    return {
      ref: this.#nextRef++,
      labels,
      lastT: Number.NaN,
      lastV: Number.NaN,
      more: undefined,
      exemplars: undefined,
      metadata: undefined,
      live: false,
      owner: undefined,
      ownerIdx: -1,
    };
  }

  /** @internal The oldest timestamp still accepted. */
  _minValidTimestampMs(): number {
    return this.#maxTimestampMs - this.#retentionMs;
  }

  /** The committed series for a pending one: itself while live, else the one registered under its key. */
  #resolve(p: MemSeries): MemSeries {
    if (p.live) return p;
    // A series created by this transaction may meanwhile have been created by another one. Its ref is
    // then not registered: a caller passing it back misses, finds the series by labels and gets the
    // committed series' ref in return, as it would have through an alias.
    const s = this.#byLabels.get(p.labels);
    if (s !== undefined) return s;
    p.live = true;
    this.#byLabels.set(p.labels, p);
    this.#byRef.set(p.ref, p);
    return p;
  }

  /** @internal Applies a committed transaction in one go. */
  _apply(batch: PendingBatch, from: MemoryAppender): void {
    this.#commits++;
    const { points, hists } = batch;
    const { series, ts, vs, kinds } = points;
    const maxPoints = this.#maxPoints;
    let maxT = this.#maxTimestampMs;
    let appended = 0;
    for (let i = 0; i < points.length; i++) {
      const p = series[i]!;
      if (p.owner === from) p.owner = undefined;
      const s = this.#resolve(p);
      const t = ts[i]!;
      const lastT = s.lastT;
      // False while the series has no point (lastT is NaN).
      if (t <= lastT) {
        // Re-checked here because another transaction may have committed newer points since append.
        if (t < lastT) {
          this._countReject('SW_ERR_OUT_OF_ORDER_SAMPLE');
        } else {
          const k = kindAt(s, t);
          if (
            !sameValue(
              k,
              s.lastV,
              k === HISTOGRAM ? s.more!.hist!.get(t) : undefined,
              kinds[i]!,
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
          if (s.more !== undefined) tidyHistory(s, s.more, t);
        } else {
          keepInHistory(s, maxPoints);
        }
      }
      s.lastT = t;
      s.lastV = vs[i]!;
      const kind = kinds[i]!;
      if (kind === STALE) {
        const m = historyOf(s);
        m.stale ??= new Set();
        m.stale.add(t);
      } else if (kind === HISTOGRAM) {
        const m = historyOf(s);
        m.hist ??= new Map();
        m.hist.set(t, hists!.get(i)!);
      }
      appended++;
      if (t > maxT) maxT = t;
    }
    this.#samplesAppended += appended;
    this.#maxTimestampMs = maxT;
    // Exemplars and metadata touch other fields than points do, so applying them after the points
    // gives the same result as applying everything in append order.
    for (const op of batch.others) {
      const s = this.#resolve(op.series);
      if (op.kind === 'exemplar') {
        if (this.#maxExemplars === 0) continue;
        const ex = s.exemplars;
        if (ex === undefined) {
          // A literal of one holds no spare room, unlike a push onto an empty array.
          s.exemplars = [op.exemplar];
        } else {
          ex.push(op.exemplar);
          if (ex.length > this.#maxExemplars) ex.splice(0, ex.length - this.#maxExemplars);
        }
      } else {
        s.metadata = op.metadata;
      }
    }
    this._releasePendingPoints(points);
    // Trimming walks every series, so do it once a tenth of the retention has passed, not per commit.
    if (this.#maxTimestampMs - this.#lastGcAtMs >= this.#retentionMs / 10) this.gc();
  }

  /** @internal */
  _rolledBack(points: PendingPoints): void {
    this.#rollbacks++;
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
 * Moves the newest point of `s` into its history before a newer one replaces it, dropping the oldest
 * point when the history is full (it holds `maxPoints - 1` points), with its kind entries.
 */
function keepInHistory(s: MemSeries, maxPoints: number): void {
  const m = historyOf(s);
  const { ts, vs } = m;
  const n = ts.length;
  if (n === 0) {
    // Literals of one hold no spare room; a push onto an empty array reserves 17 slots.
    m.ts = [s.lastT];
    m.vs = [s.lastV];
    return;
  }
  if (n + 1 < maxPoints) {
    ts.push(s.lastT);
    vs.push(s.lastV);
    return;
  }
  if (n <= SHIFT_IN_PLACE_MAX) {
    // A short capped history keeps its exact size: no push growing it by half again, no splice.
    for (let i = 1; i < n; i++) {
      ts[i - 1] = ts[i]!;
      vs[i - 1] = vs[i]!;
    }
    ts[n - 1] = s.lastT;
    vs[n - 1] = s.lastV;
  } else {
    ts.push(s.lastT);
    vs.push(s.lastV);
    ts.splice(0, 1);
    vs.splice(0, 1);
  }
  tidyHistory(s, m, ts[0]!);
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

/** One transaction against a {@link MemoryStorage}. */
class MemoryAppender implements Appender {
  readonly #storage: MemoryStorage;
  /** Pending points, taken from the storage when the first point comes. */
  #points: PendingPoints | undefined;
  #hists: Map<number, NativeHistogram> | undefined;
  #others: PendingOther[] = [];
  /** Series this transaction created, by labels and by ref; made when the first one is (not per scrape). */
  #newByLabels: LabelsMap<MemSeries> | undefined;
  #newByRef: Map<SeriesRef, MemSeries> | undefined;
  /**
   * The index of the newest pending point per series whose `owner` another transaction took over since
   * this one appended to it (rare: two open transactions writing the same series).
   */
  #spilled: Map<MemSeries, number> | undefined;
  /** The newest exemplar appended or committed per series, for its order checks. */
  #pendingExemplar: Map<MemSeries, Exemplar> | undefined;
  #done = false;

  constructor(storage: MemoryStorage) {
    this.#storage = storage;
  }

  /** @internal Another transaction took over `s`; remember this one's newest pending point for it. */
  _spill(s: MemSeries, idx: number): void {
    if (this.#done) return;
    this.#spilled ??= new Map();
    this.#spilled.set(s, idx);
  }

  #lookup(ref: SeriesRef, labels: Labels): MemSeries {
    if (this.#done) throw new Error('appender already committed or rolled back');
    if (ref !== 0) {
      // Committed series first: that is nearly every sample. A ref names either a committed series or
      // one this transaction created, never both, so the order does not change the answer.
      const s = this.#storage._byRef(ref);
      if (s !== undefined && (s.labels === labels || s.labels.equals(labels))) return s;
      const p = this.#newByRef?.get(ref);
      if (p !== undefined && (p.labels === labels || p.labels.equals(labels))) return p;
    }
    const s = this.#storage._byLabels(labels);
    if (s !== undefined) return s;
    let p = this.#newByLabels?.get(labels);
    if (!p) {
      this.#newByLabels ??= new LabelsMap<MemSeries>((x) => x.labels);
      this.#newByRef ??= new Map();
      p = this.#storage._newSeries(labels, this.#newByLabels.size);
      this.#newByLabels.set(labels, p);
      this.#newByRef.set(p.ref, p);
    }
    return p;
  }

  #reject(code: StorageErrorCode, message: string): never {
    this.#storage._countReject(code);
    throw new StorageError(code, message);
  }

  #appendPoint(
    ref: SeriesRef,
    labels: Labels,
    t: number,
    value: number,
    kind: number,
    histogram: NativeHistogram | undefined,
  ): SeriesRef {
    const s = this.#lookup(ref, labels);
    // Written so that a NaN timestamp fails too: it would break the ordering every check relies on.
    if (!(t >= this.#storage._minValidTimestampMs())) {
      this.#reject('SW_ERR_OUT_OF_BOUNDS', `sample at ${t} for ${labels} is older than the retention window`);
    }
    // The newest point so far: this transaction's pending one for the series, else the committed one.
    const pi = s.owner === this ? s.ownerIdx : (this.#spilled?.get(s) ?? -1);
    let lastT: number;
    let lastK: number;
    let lastV: number;
    let lastH: NativeHistogram | undefined;
    if (pi >= 0) {
      const pp = this.#points!;
      lastT = pp.ts[pi]!;
      lastK = pp.kinds[pi]!;
      lastV = pp.vs[pi]!;
      lastH = lastK === HISTOGRAM ? this.#hists!.get(pi) : undefined;
    } else {
      // The committed newest point; NaN when there is none, which no check below matches.
      lastT = s.lastT;
      lastV = s.lastV;
      lastK = kindAt(s, lastT);
      lastH = lastK === HISTOGRAM ? s.more!.hist!.get(lastT) : undefined;
    }
    if (t < lastT) {
      this.#reject(
        'SW_ERR_OUT_OF_ORDER_SAMPLE',
        `out of order sample at ${t} for ${labels} (newest is ${lastT})`,
      );
    }
    if (t === lastT) {
      if (sameValue(lastK, lastV, lastH, kind, value, histogram)) return s.ref;
      this.#reject(
        'SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP',
        `duplicate sample for timestamp ${t} for ${labels}`,
      );
    }
    this.#points ??= this.#storage._pendingPoints();
    const idx = this.#points.push(s, t, value, kind);
    if (histogram !== undefined) {
      this.#hists ??= new Map();
      this.#hists.set(idx, histogram);
    }
    if (s.owner !== this) {
      if (s.owner !== undefined) s.owner._spill(s, s.ownerIdx);
      s.owner = this;
    }
    s.ownerIdx = idx;
    return s.ref;
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
    const s = this.#lookup(ref, labels);
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
    const last = this.#pendingExemplar?.get(s) ?? s.exemplars?.[s.exemplars.length - 1];
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
    this.#pendingExemplar.set(s, exemplar);
    this.#others.push({ kind: 'exemplar', series: s, exemplar });
    return s.ref;
  }

  updateMetadata(ref: SeriesRef, labels: Labels, metadata: Metadata): SeriesRef {
    const s = this.#lookup(ref, labels);
    this.#others.push({ kind: 'metadata', series: s, metadata });
    return s.ref;
  }

  /** Hands the transaction's points over (once: commit and rollback end the transaction). */
  #take(): PendingBatch {
    const batch: PendingBatch = {
      points: this.#points ?? this.#storage._pendingPoints(),
      hists: this.#hists,
      others: this.#others,
    };
    this.#points = undefined;
    this.#hists = undefined;
    this.#others = [];
    this.#spilled = undefined;
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
    // Release the series this transaction owned, so they do not keep it reachable.
    const { points } = this.#take();
    for (let i = 0; i < points.length; i++) {
      const s = points.series[i]!;
      if (s.owner === this) s.owner = undefined;
    }
    this.#storage._rolledBack(points);
  }
}
