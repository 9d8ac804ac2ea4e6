import { InvalidOptionsError, type Labels } from '@scrapewire/model';
import type { Appendable, Appender, Exemplar, Metadata, NativeHistogram, SeriesRef } from './appender.js';
import { StorageError, type StorageErrorCode } from './errors.js';
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

interface MemSeries {
  readonly ref: SeriesRef;
  readonly labels: Labels;
  readonly key: string;
  /**
   * Timestamps and values as two arrays of doubles (16 bytes a point) rather than one object per point;
   * the rare staleness markers and histograms are kept beside them by timestamp, and SamplePoint objects
   * are only built for query results.
   */
  ts: number[];
  vs: number[];
  stale?: Set<number>;
  hist?: Map<number, NativeHistogram>;
  exemplars: Exemplar[];
  metadata?: Metadata;
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

/** Kinds of a pending point, kept in a number array beside its timestamp and value. */
const FLOAT = 0;
const STALE = 1;
const HISTOGRAM = 2;

/**
 * The points of a transaction as parallel arrays (one entry per point, no object per sample), plus the
 * rare exemplars and metadata updates as objects.
 */
interface PendingBatch {
  readonly series: readonly MemSeries[];
  readonly ts: readonly number[];
  readonly vs: readonly number[];
  readonly kinds: readonly number[];
  /** Histograms by point index. */
  readonly hists: ReadonlyMap<number, NativeHistogram> | undefined;
  readonly others: readonly PendingOther[];
}

type PendingOther =
  | { readonly kind: 'exemplar'; readonly series: MemSeries; readonly exemplar: Exemplar }
  | { readonly kind: 'metadata'; readonly series: MemSeries; readonly metadata: Metadata };

/** The kind of the i-th committed point of a series. */
function kindAt(s: MemSeries, i: number): number {
  if (s.stale === undefined && s.hist === undefined) return FLOAT;
  const t = s.ts[i]!;
  if (s.stale?.has(t)) return STALE;
  if (s.hist?.has(t)) return HISTOGRAM;
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

/** The i-th point of a series as a SamplePoint. */
function pointAt(s: MemSeries, i: number): SamplePoint {
  const t = s.ts[i]!;
  const h = s.hist?.get(t);
  const stale = s.stale?.has(t) ?? false;
  return h
    ? { timestampMs: t, value: Number.NaN, stale, histogram: h }
    : { timestampMs: t, value: s.vs[i]!, stale };
}

function lastPoint(s: MemSeries): SamplePoint | undefined {
  return s.ts.length > 0 ? pointAt(s, s.ts.length - 1) : undefined;
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
  readonly #byKey = new Map<string, MemSeries>();
  readonly #byRef = new Map<SeriesRef, MemSeries>();
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
    for (const s of this.#byKey.values()) if (matchesAll(ms, s.labels)) out.push(s.labels);
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
    for (const s of this.#byKey.values()) {
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
    for (const s of this.#byKey.values()) {
      if (!matchesAll(ms, s.labels)) continue;
      const from = lowerBound(s.ts, startMs);
      const samples: SamplePoint[] = [];
      for (let i = from; i < s.ts.length && s.ts[i]! <= endMs; i++) samples.push(pointAt(s, i));
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
    for (const s of this.#byKey.values()) {
      if (s.exemplars.length > 0 && matchesAll(ms, s.labels))
        out.push({ labels: s.labels, exemplars: [...s.exemplars] });
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  /** The metadata last committed for the series with exactly these labels. */
  metadata(labels: Labels): Metadata | undefined {
    return this.#byKey.get(labels.key())?.metadata;
  }

  /** Counters since creation. */
  stats(): MemoryStorageStats {
    return {
      series: this.#byKey.size,
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
    for (const s of this.#byKey.values()) {
      const cut = lowerBound(s.ts, minT);
      if (cut > 0) {
        s.ts = s.ts.slice(cut);
        s.vs = s.vs.slice(cut);
        if (s.stale) for (const t of s.stale) if (t < minT) s.stale.delete(t);
        if (s.hist) for (const t of s.hist.keys()) if (t < minT) s.hist.delete(t);
      }
      if (s.exemplars.length > 0 && (s.exemplars[0]!.timestampMs ?? minT) < minT) {
        s.exemplars = s.exemplars.filter((e) => (e.timestampMs ?? minT) >= minT);
      }
      if (s.ts.length === 0 && s.exemplars.length === 0) {
        s.live = false;
        this.#byKey.delete(s.key);
        this.#byRef.delete(s.ref);
      }
    }
  }

  // ---- used by MemoryAppender ----

  /** @internal */
  _countReject(code: StorageErrorCode): void {
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
  }

  /** @internal The committed series for `ref`/`labels`, if any. */
  _lookup(ref: SeriesRef, labels: Labels): MemSeries | undefined {
    if (ref !== 0) {
      const s = this.#byRef.get(ref);
      if (s && (s.labels === labels || s.labels.equals(labels))) return s;
    }
    return this.#byKey.get(labels.key());
  }

  /** @internal A new, not yet visible series; counts against the limit together with `pendingNew`. */
  _newSeries(labels: Labels, pendingNew: number): MemSeries {
    if (this.#byKey.size + pendingNew >= this.#maxSeries) {
      this._countReject('SW_ERR_SERIES_LIMIT');
      throw new StorageError(
        'SW_ERR_SERIES_LIMIT',
        `series limit of ${this.#maxSeries} reached; series ${labels} rejected`,
      );
    }
    return {
      ref: this.#nextRef++,
      labels,
      key: labels.key(),
      ts: [],
      vs: [],
      exemplars: [],
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
    // A series created by this transaction may meanwhile have been created by another one.
    const s = this.#byKey.get(p.key);
    if (!s) {
      p.live = true;
      this.#byKey.set(p.key, p);
      this.#byRef.set(p.ref, p);
      return p;
    }
    this.#byRef.set(p.ref, s);
    return s;
  }

  /** @internal Applies a committed transaction in one go. */
  _apply(batch: PendingBatch, from: MemoryAppender): void {
    this.#commits++;
    const { series, ts, vs, kinds, hists } = batch;
    for (let i = 0; i < series.length; i++) {
      const p = series[i]!;
      if (p.owner === from) p.owner = undefined;
      const s = this.#resolve(p);
      const t = ts[i]!;
      const n = s.ts.length;
      if (n > 0) {
        const lastT = s.ts[n - 1]!;
        // Re-checked here because another transaction may have committed newer points since append.
        if (t < lastT) {
          this._countReject('SW_ERR_OUT_OF_ORDER_SAMPLE');
          continue;
        }
        if (t === lastT) {
          const k = kindAt(s, n - 1);
          if (
            !sameValue(
              k,
              s.vs[n - 1]!,
              k === HISTOGRAM ? s.hist!.get(t) : undefined,
              kinds[i]!,
              vs[i]!,
              hists?.get(i),
            )
          )
            this._countReject('SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP');
          continue;
        }
      }
      s.ts.push(t);
      s.vs.push(vs[i]!);
      const kind = kinds[i]!;
      if (kind === STALE) {
        s.stale ??= new Set();
        s.stale.add(t);
      } else if (kind === HISTOGRAM) {
        s.hist ??= new Map();
        s.hist.set(t, hists!.get(i)!);
      }
      if (s.ts.length > this.#maxPoints) dropOldestPoints(s, s.ts.length - this.#maxPoints);
      this.#samplesAppended++;
      if (t > this.#maxTimestampMs) this.#maxTimestampMs = t;
    }
    // Exemplars and metadata touch other fields than points do, so applying them after the points
    // gives the same result as applying everything in append order.
    for (const op of batch.others) {
      const s = this.#resolve(op.series);
      if (op.kind === 'exemplar') {
        s.exemplars.push(op.exemplar);
        if (s.exemplars.length > this.#maxExemplars)
          s.exemplars.splice(0, s.exemplars.length - this.#maxExemplars);
      } else {
        s.metadata = op.metadata;
      }
    }
    // Trimming walks every series, so do it once a tenth of the retention has passed, not per commit.
    if (this.#maxTimestampMs - this.#lastGcAtMs >= this.#retentionMs / 10) this.gc();
  }

  /** @internal */
  _rolledBack(): void {
    this.#rollbacks++;
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

/** Forgets the `n` oldest points of a series, with their staleness and histogram entries. */
function dropOldestPoints(s: MemSeries, n: number): void {
  s.ts.splice(0, n);
  s.vs.splice(0, n);
  const first = s.ts[0]!;
  if (s.stale) for (const t of s.stale) if (t < first) s.stale.delete(t);
  if (s.hist) for (const t of s.hist.keys()) if (t < first) s.hist.delete(t);
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
  // Pending points, one entry per point in each array (see PendingBatch).
  #series: MemSeries[] = [];
  #ts: number[] = [];
  #vs: number[] = [];
  #kinds: number[] = [];
  #hists: Map<number, NativeHistogram> | undefined;
  #others: PendingOther[] = [];
  /** Series this transaction created, by key and by ref. */
  readonly #newByKey = new Map<string, MemSeries>();
  readonly #newByRef = new Map<SeriesRef, MemSeries>();
  /**
   * The index of the newest pending point per series whose `owner` another transaction took over since
   * this one appended to it (rare: two open transactions writing the same series).
   */
  #spilled: Map<MemSeries, number> | undefined;
  /** The newest exemplar appended or committed per series, for its order checks. */
  readonly #pendingExemplar = new Map<MemSeries, Exemplar>();
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
      const p = this.#newByRef.get(ref);
      if (p && (p.labels === labels || p.labels.equals(labels))) return p;
    }
    const s = this.#storage._lookup(ref, labels);
    if (s) return s;
    const key = labels.key();
    let p = this.#newByKey.get(key);
    if (!p) {
      p = this.#storage._newSeries(labels, this.#newByKey.size);
      this.#newByKey.set(key, p);
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
    if (t < this.#storage._minValidTimestampMs()) {
      this.#reject('SW_ERR_OUT_OF_BOUNDS', `sample at ${t} for ${labels} is older than the retention window`);
    }
    // The newest point so far: this transaction's pending one for the series, else the committed one.
    const pi = s.owner === this ? s.ownerIdx : (this.#spilled?.get(s) ?? -1);
    let lastT: number;
    let lastK: number;
    let lastV: number;
    let lastH: NativeHistogram | undefined;
    if (pi >= 0) {
      lastT = this.#ts[pi]!;
      lastK = this.#kinds[pi]!;
      lastV = this.#vs[pi]!;
      lastH = lastK === HISTOGRAM ? this.#hists!.get(pi) : undefined;
    } else if (s.ts.length > 0) {
      const n = s.ts.length - 1;
      lastT = s.ts[n]!;
      lastK = kindAt(s, n);
      lastV = s.vs[n]!;
      lastH = lastK === HISTOGRAM ? s.hist!.get(lastT) : undefined;
    } else {
      lastT = Number.NaN;
      lastK = FLOAT;
      lastV = Number.NaN;
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
    const idx = this.#series.length;
    this.#series.push(s);
    this.#ts.push(t);
    this.#vs.push(value);
    this.#kinds.push(kind);
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
    const last = this.#pendingExemplar.get(s) ?? s.exemplars[s.exemplars.length - 1];
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
    this.#pendingExemplar.set(s, exemplar);
    this.#others.push({ kind: 'exemplar', series: s, exemplar });
    return s.ref;
  }

  updateMetadata(ref: SeriesRef, labels: Labels, metadata: Metadata): SeriesRef {
    const s = this.#lookup(ref, labels);
    this.#others.push({ kind: 'metadata', series: s, metadata });
    return s.ref;
  }

  #take(): PendingBatch {
    const batch: PendingBatch = {
      series: this.#series,
      ts: this.#ts,
      vs: this.#vs,
      kinds: this.#kinds,
      hists: this.#hists,
      others: this.#others,
    };
    this.#series = [];
    this.#ts = [];
    this.#vs = [];
    this.#kinds = [];
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
    for (const s of this.#take().series) if (s.owner === this) s.owner = undefined;
    this.#storage._rolledBack();
  }
}
