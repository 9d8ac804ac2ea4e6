/** What a remote write queue counts, as Prometheus names it (`prometheus_remote_storage_<kind>_*`). */
export type RemoteWriteItemKind = 'samples' | 'exemplars' | 'histograms' | 'metadata';

/**
 * Why items were dropped before reaching the receiver. Prometheus's own reasons (`too_old`,
 * `dropped_series`, `nhcb_in_rw1_not_supported`) plus two of scrapewire's, which has no WAL to fall back
 * on: `queue_full` (the bounded buffer overflowed while the receiver was slow or down; oldest dropped
 * first) and `shutdown` (still queued when the close deadline passed).
 */
export type RemoteWriteDropReason =
  | 'too_old'
  | 'dropped_series'
  | 'nhcb_in_rw1_not_supported'
  | 'queue_full'
  | 'shutdown';

/**
 * The self-metrics of one remote write queue. Every method maps to one Prometheus metric (named in its
 * doc, all `prometheus_remote_storage_…` with the const labels `remote_name` and `url` that the
 * embedder binds when it builds the implementation). The storage package never imports a metrics
 * library; the agent adapts this interface to prom-client. The default is {@link noopRemoteWriteMetrics}.
 */
export interface RemoteWriteMetrics {
  /** `<kind>_total`: items delivered (2xx). */
  sent(kind: RemoteWriteItemKind, count: number): void;
  /** `<kind>_failed_total`: items in a request the receiver rejected for good (4xx other than a retried 429). */
  failed(kind: RemoteWriteItemKind, count: number): void;
  /** `<kind>_retried_total`: items in a request that is being retried. */
  retried(kind: RemoteWriteItemKind, count: number): void;
  /** `<kind>_dropped_total{reason}`: items never sent. */
  dropped(kind: RemoteWriteItemKind, count: number, reason: RemoteWriteDropReason): void;
  /** `<kind>_pending` gauge: items queued, not yet delivered. */
  setPending(kind: RemoteWriteItemKind, count: number): void;
  /** `shards` gauge. */
  setShards(count: number): void;
  /** `bytes_total` (samples, exemplars, histograms) or `metadata_bytes_total` (metadata): compressed bytes sent. */
  bytesSent(bytes: number, metadata: boolean): void;
  /** `highest_timestamp_in_seconds`: newest timestamp handed to the queue. */
  setHighestTimestampSeconds(seconds: number): void;
  /** `queue_highest_sent_timestamp_seconds`: newest timestamp delivered. */
  setHighestSentTimestampSeconds(seconds: number): void;
  /** `sent_batch_duration_seconds` histogram: duration of one send attempt. */
  observeSentBatchDuration(seconds: number): void;
}

const noop = (): void => {};

/** A {@link RemoteWriteMetrics} that records nothing: the default. */
export const noopRemoteWriteMetrics: RemoteWriteMetrics = Object.freeze({
  sent: noop,
  failed: noop,
  retried: noop,
  dropped: noop,
  setPending: noop,
  setShards: noop,
  bytesSent: noop,
  setHighestTimestampSeconds: noop,
  setHighestSentTimestampSeconds: noop,
  observeSentBatchDuration: noop,
});

/** Plain counters kept by {@link InMemoryRemoteWriteMetrics}. */
export interface RemoteWriteCounts {
  sent: Record<RemoteWriteItemKind, number>;
  failed: Record<RemoteWriteItemKind, number>;
  retried: Record<RemoteWriteItemKind, number>;
  dropped: Record<string, number>;
  pending: Record<RemoteWriteItemKind, number>;
  shards: number;
  bytes: number;
  metadataBytes: number;
  highestTimestampSeconds: number;
  highestSentTimestampSeconds: number;
  batchDurationsSeconds: number[];
}

const zeroKinds = (): Record<RemoteWriteItemKind, number> => ({
  samples: 0,
  exemplars: 0,
  histograms: 0,
  metadata: 0,
});

/**
 * A {@link RemoteWriteMetrics} that keeps plain numbers in `counts`, for tests and for embedders that
 * want to look at a queue without a metrics library. Dropped counts are keyed `<kind>:<reason>`.
 */
export class InMemoryRemoteWriteMetrics implements RemoteWriteMetrics {
  readonly counts: RemoteWriteCounts = {
    sent: zeroKinds(),
    failed: zeroKinds(),
    retried: zeroKinds(),
    dropped: {},
    pending: zeroKinds(),
    shards: 0,
    bytes: 0,
    metadataBytes: 0,
    highestTimestampSeconds: 0,
    highestSentTimestampSeconds: 0,
    batchDurationsSeconds: [],
  };

  sent(kind: RemoteWriteItemKind, count: number): void {
    this.counts.sent[kind] += count;
  }
  failed(kind: RemoteWriteItemKind, count: number): void {
    this.counts.failed[kind] += count;
  }
  retried(kind: RemoteWriteItemKind, count: number): void {
    this.counts.retried[kind] += count;
  }
  dropped(kind: RemoteWriteItemKind, count: number, reason: RemoteWriteDropReason): void {
    const k = `${kind}:${reason}`;
    this.counts.dropped[k] = (this.counts.dropped[k] ?? 0) + count;
  }
  setPending(kind: RemoteWriteItemKind, count: number): void {
    this.counts.pending[kind] = count;
  }
  setShards(count: number): void {
    this.counts.shards = count;
  }
  bytesSent(bytes: number, metadata: boolean): void {
    if (metadata) this.counts.metadataBytes += bytes;
    else this.counts.bytes += bytes;
  }
  setHighestTimestampSeconds(seconds: number): void {
    this.counts.highestTimestampSeconds = seconds;
  }
  setHighestSentTimestampSeconds(seconds: number): void {
    this.counts.highestSentTimestampSeconds = seconds;
  }
  observeSentBatchDuration(seconds: number): void {
    this.counts.batchDurationsSeconds.push(seconds);
  }
}
