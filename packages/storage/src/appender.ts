import type { Labels } from '@scrapewire/model';

/**
 * An opaque reference to a series, chosen by the storage; `0` means unknown. A caller that got a ref
 * back may pass it with the same labels next time so the storage can skip label work (Prometheus's
 * `storage.SeriesRef`). A storage may ignore refs it does not recognise and use the labels instead.
 */
export type SeriesRef = number;

/** The metric types of the exposition formats, as Prometheus names them in metadata. */
export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'unknown';

export interface Metadata {
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  /** Milliseconds since the epoch; absent when the exposition gave none. */
  readonly timestampMs?: number;
}

/** One span of consecutive buckets in a native histogram. */
export interface HistogramSpan {
  readonly offset: number;
  readonly length: number;
}

/** A native histogram with integer counts; bucket counts are deltas, as on the wire. */
export interface IntHistogram {
  readonly kind: 'int';
  readonly counterResetHint: 'unknown' | 'reset' | 'not-reset' | 'gauge';
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly count: number;
  readonly sum: number;
  readonly positiveSpans: readonly HistogramSpan[];
  readonly positiveDeltas: readonly number[];
  readonly negativeSpans: readonly HistogramSpan[];
  readonly negativeDeltas: readonly number[];
  /** Upper bounds for schema -53 (custom buckets). */
  readonly customValues?: readonly number[];
}

/** A native histogram with float counts; bucket counts are absolute. */
export interface FloatHistogram {
  readonly kind: 'float';
  readonly counterResetHint: 'unknown' | 'reset' | 'not-reset' | 'gauge';
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly count: number;
  readonly sum: number;
  readonly positiveSpans: readonly HistogramSpan[];
  readonly positiveCounts: readonly number[];
  readonly negativeSpans: readonly HistogramSpan[];
  readonly negativeCounts: readonly number[];
  readonly customValues?: readonly number[];
}

export type NativeHistogram = IntHistogram | FloatHistogram;

/**
 * One transaction: the samples of one scrape, appended in order, then committed or rolled back as a
 * whole (Prometheus's `storage.Appender`). Not safe for concurrent use; one scrape uses one appender.
 *
 * The append methods are synchronous because they sit on the hot path; they throw a {@link StorageError}
 * for a sample the storage rejects (out of order, duplicate, out of bounds), which the scrape loop counts
 * and skips without failing the scrape. `commit` and `rollback` may do I/O. After either, the appender
 * is spent.
 */
export interface Appender {
  /** Adds a float sample. Returns the series ref to pass next time (0 if the storage has none). */
  append(ref: SeriesRef, labels: Labels, timestampMs: number, value: number): SeriesRef;
  /**
   * Adds a staleness marker: the series ended at `timestampMs`. On the wire this is the NaN with bits
   * `0x7ff0000000000002` ({@link STALE_NAN_BITS}); in memory it is a separate call, because JavaScript
   * engines do not keep NaN payload bits through arrays and typed arrays.
   */
  appendStale(ref: SeriesRef, labels: Labels, timestampMs: number): SeriesRef;
  appendExemplar(ref: SeriesRef, labels: Labels, exemplar: Exemplar): SeriesRef;
  appendHistogram(ref: SeriesRef, labels: Labels, timestampMs: number, histogram: NativeHistogram): SeriesRef;
  updateMetadata(ref: SeriesRef, labels: Labels, metadata: Metadata): SeriesRef;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Hands out one {@link Appender} per transaction (Prometheus's `storage.Appendable`). */
export interface Appendable {
  appender(): Appender;
}

/** The bit pattern of Prometheus's staleness marker NaN (`value.StaleNaN`). */
export const STALE_NAN_BITS = 0x7ff0000000000002n;
