import type { RemoteWriteConfig } from '@scrapewire/config';
import {
  InvalidOptionsError,
  Labels,
  LabelsBuilder,
  LabelsMap,
  type Logger,
  noopLogger,
} from '@scrapewire/model';
import { type CompiledRelabelConfigs, compileRelabelConfigs, relabel } from '@scrapewire/relabel';
import type { Appendable, Appender, Exemplar, Metadata, NativeHistogram, SeriesRef } from '../appender.js';
import { createHttpRemoteWriteClient, type RemoteWriteClient } from './http-client.js';
import { type CloseResult, QueueManager } from './queue-manager.js';
import { noopRemoteWriteMetrics, type RemoteWriteMetrics } from './remote-write-metrics.js';
import { RefIndex } from '../ref-index.js';
import { ItemBatch, type ItemExtra, type ItemKind } from './item-batch.js';
import { BinarySeries, encodeLabelsBinary, type MetadataEntry } from './write-request.js';

/**
 * Applies `write_relabel_configs` to a series' labels: returns the new labels, or `undefined` to drop
 * the series. The relabel package's `relabel(labels, compiledConfigs)` fits this shape.
 */
export type WriteRelabelFn = (labels: Labels) => Labels | undefined;

/** Options of {@link createRemoteWrite}. */
export interface RemoteWriteOptions {
  /** One `remote_write` entry, defaults applied (see `@scrapewire/config`). */
  readonly config: RemoteWriteConfig;
  /** `global.external_labels`: added to every series that lacks the label, before write relabeling. */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /**
   * Replaces the `write_relabel_configs` step. By default `config.writeRelabelConfigs` are compiled with
   * `@scrapewire/relabel` (utf8 name validation); pass a function to use other rules or a legacy scheme.
   */
  readonly writeRelabel?: WriteRelabelFn;
  /**
   * Shards to start with. Like Prometheus, the queue then reshards every `reshardIntervalMs` between
   * `queueConfig.minShards` and `queueConfig.maxShards` (widened to include this count) to keep up.
   * @defaultValue `queueConfig.minShards`
   */
  readonly shards?: number;
  /** How often the desired shard count is recomputed (tests shorten it). @defaultValue `10_000` */
  readonly reshardIntervalMs?: number;
  /**
   * Total items buffered over all shards before the oldest are dropped, whatever the shard count. The
   * default is the most Prometheus's queues can hold once fully resharded, so a burst that arrives before
   * the queue has resharded up (e.g. every target's first scrape at start-up) is buffered, not dropped,
   * while memory stays bounded by the config.
   * @defaultValue `capacity × max_shards`
   */
  readonly bufferSize?: number;
  readonly metrics?: RemoteWriteMetrics;
  readonly logger?: Logger;
  /** Replaces the HTTP client, e.g. to send elsewhere or in tests. */
  readonly client?: RemoteWriteClient;
  /** @defaultValue `scrapewire/<version>` */
  readonly userAgent?: string;
  /** Series whose labels are remembered to skip relabeling and label encoding. @defaultValue 1 000 000 */
  readonly maxCachedSeries?: number;
}

/**
 * One series as remote write remembers it: everything in one object (the queue's items point at it as
 * their series), since the agent keeps ~100k of them for as long as they live.
 */
class CachedSeries extends BinarySeries {
  constructor(
    readonly ref: SeriesRef,
    /** The labels the series was appended with, before external labels and write relabeling. */
    readonly input: Labels,
    /** The labels sent; empty when write relabeling dropped the series. */
    labels: Labels,
    labelBin: string,
    /** Picks the series' shard. */
    readonly hash: number,
  ) {
    super(labels, labelBin);
  }

  /** True when write relabeling dropped the series: nothing of it is sent. */
  get dropped(): boolean {
    return this.labelBin.length === 0;
  }
}

/** Compiles `write_relabel_configs`; undefined when there are none. Bad rules throw InvalidOptionsError. */
function compileWriteRelabel(c: RemoteWriteConfig): WriteRelabelFn | undefined {
  if (c.writeRelabelConfigs.length === 0) return undefined;
  let compiled: CompiledRelabelConfigs;
  try {
    compiled = compileRelabelConfigs(c.writeRelabelConfigs);
  } catch (err) {
    throw new InvalidOptionsError(
      `invalid write_relabel_configs: ${(err as Error).message}`,
      'writeRelabelConfigs',
      { cause: err },
    );
  }
  return (labels) => relabel(labels, compiled);
}

/** Transaction batches {@link RemoteWriteStorage} keeps for reuse, and the most items one may hold. */
const MAX_SPARE_BATCHES = 4;
const MAX_SPARE_ITEMS = 1 << 16;

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count', '_created', '_gcount', '_gsum'];

/**
 * The metric family name for metadata: the series' name, minus the per-series suffixes of histograms
 * and summaries (their metadata describes the family, as in the `# TYPE` line).
 */
function familyName(labels: Labels, meta: Metadata): string {
  const name = labels.get('__name__');
  if (meta.type === 'histogram' || meta.type === 'gaugehistogram' || meta.type === 'summary') {
    for (const s of HISTOGRAM_SUFFIXES) if (name.endsWith(s)) return name.slice(0, -s.length);
  }
  return name;
}

/**
 * A storage that sends everything committed to it to a remote write 1.0 receiver. Use it as a secondary
 * in {@link fanout}, or alone (agent mode).
 *
 * Commit hands the transaction's items to the queue manager (see {@link QueueManager}) and returns
 * without waiting for the network; rollback discards them. External labels, then write relabeling, are
 * applied once per series and remembered. Exemplars and native histograms are sent only when
 * `send_exemplars` / `send_native_histograms` are on; native histograms with custom buckets (schema
 * -53) cannot travel in remote write 1.0 and are dropped (`nhcb_in_rw1_not_supported`). Metadata is sent
 * every `metadata_config.send_interval` when `metadata_config.send` is on.
 *
 * Call {@link RemoteWriteStorage.close} on shutdown to flush within a deadline.
 */
export class RemoteWriteStorage implements Appendable {
  readonly #config: RemoteWriteConfig;
  readonly #external: readonly [string, string][];
  readonly #relabel: WriteRelabelFn | undefined;
  readonly #queue: QueueManager;
  readonly #metrics: RemoteWriteMetrics;
  readonly #maxCached: number;
  readonly #byLabels = new LabelsMap<CachedSeries>((s) => s.input);
  /** The same series by ref (a dense array for the sequential refs handed out). */
  readonly #byRef = new RefIndex<CachedSeries>();
  #nextRef = 1;
  /** Cleared transaction batches kept for reuse: their arrays stay grown, so a warm scrape allocates none. */
  readonly #spareBatches: ItemBatch[] = [];
  readonly #metadata = new Map<string, MetadataEntry>();
  readonly #metadataTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: RemoteWriteOptions) {
    const c = options.config;
    const q = c.queueConfig;
    this.#config = c;
    const shards = options.shards ?? q.minShards;
    if (!(shards >= 1)) throw new InvalidOptionsError('shards must be at least 1', 'shards');
    if (!(q.maxSamplesPerSend >= 1))
      throw new InvalidOptionsError('maxSamplesPerSend must be positive', 'queueConfig.maxSamplesPerSend');
    if (!(q.capacity >= 1))
      throw new InvalidOptionsError('capacity must be positive', 'queueConfig.capacity');
    if (q.maxBackoffMs < q.minBackoffMs)
      throw new InvalidOptionsError('maxBackoff must be >= minBackoff', 'queueConfig.maxBackoffMs');
    if (options.bufferSize !== undefined && !(options.bufferSize >= 1))
      throw new InvalidOptionsError('bufferSize must be positive', 'bufferSize');
    this.#external = Object.entries(options.externalLabels ?? {}).filter(([, v]) => v !== '');
    this.#relabel = options.writeRelabel ?? compileWriteRelabel(c);
    this.#metrics = options.metrics ?? noopRemoteWriteMetrics;
    this.#maxCached = options.maxCachedSeries ?? 1_000_000;
    const client =
      options.client ??
      createHttpRemoteWriteClient({
        url: c.url,
        remoteTimeoutMs: c.remoteTimeoutMs,
        headers: c.headers,
        httpClient: c.httpClient,
        retryOnHttp429: q.retryOnHttp429,
        protobufMessage: c.protobufMessage,
        ...(options.userAgent !== undefined ? { userAgent: options.userAgent } : {}),
      });
    this.#queue = new QueueManager({
      client,
      shards,
      minShards: Math.max(1, q.minShards),
      maxShards: Math.max(1, q.maxShards),
      ...(options.reshardIntervalMs !== undefined ? { reshardIntervalMs: options.reshardIntervalMs } : {}),
      capacityPerShard: q.capacity,
      bufferSize: options.bufferSize ?? q.capacity * Math.max(q.maxShards, shards),
      maxSamplesPerSend: q.maxSamplesPerSend,
      batchSendDeadlineMs: q.batchSendDeadlineMs,
      minBackoffMs: q.minBackoffMs,
      maxBackoffMs: q.maxBackoffMs,
      sampleAgeLimitMs: q.sampleAgeLimitMs,
      metadataMaxPerSend: c.metadataConfig.maxSamplesPerSend,
      metrics: this.#metrics,
      logger: options.logger ?? noopLogger,
    });
    if (c.metadataConfig.send && c.metadataConfig.sendIntervalMs > 0) {
      this.#metadataTimer = setInterval(() => void this.flushMetadata(), c.metadataConfig.sendIntervalMs);
      // A metadata timer alone must not keep the process alive.
      this.#metadataTimer.unref?.();
    }
  }

  appender(): Appender {
    return new RemoteWriteAppender(this);
  }

  /** Items queued or in flight. */
  pending(): number {
    return this.#queue.pendingCount();
  }

  /** Sends the metadata collected so far now (it is also sent every `send_interval`). */
  flushMetadata(): Promise<void> {
    return this.#queue.sendMetadata([...this.#metadata.values()]);
  }

  /**
   * Stops accepting data and flushes what is queued; see {@link QueueManager.close}. After `deadlineMs`
   * (default 1 minute, Prometheus's `--storage.remote.flush-deadline`) whatever is left is dropped.
   */
  close(options: { deadlineMs?: number } = {}): Promise<CloseResult> {
    this.#closed = true;
    if (this.#metadataTimer) clearInterval(this.#metadataTimer);
    return this.#queue.close(options);
  }

  /** @internal Resolves a series, applying external labels and write relabeling on first sight. */
  _series(ref: SeriesRef, labels: Labels): CachedSeries {
    const byRef = this.#byRef.get(ref);
    if (byRef !== undefined && (byRef.input === labels || byRef.input.equals(labels))) return byRef;
    const known = this.#byLabels.get(labels);
    if (known) return known;
    if (this.#byLabels.size >= this.#maxCached) {
      // Forget everything rather than track recency on the hot path; refs then miss and fall back to labels.
      this.#byLabels.clear();
      this.#byRef.clear();
    }
    let final: Labels | undefined = labels;
    if (this.#external.length > 0) {
      const b = new LabelsBuilder(labels);
      for (const [n, v] of this.#external) if (!labels.has(n)) b.set(n, v);
      final = b.labels();
    }
    if (this.#relabel) final = this.#relabel(final);
    if (!final) final = Labels.EMPTY;
    const newRef = this.#nextRef++;
    // The shard is picked by the final labels' hash32 (a small integer, cached on the label set), so
    // each series keeps its shard, and so its order, whatever external labels or relabeling made of it.
    const bin = final.isEmpty ? '' : encodeLabelsBinary(final);
    const s = new CachedSeries(newRef, labels, final, bin, bin === '' ? 0 : final.hash32());
    this.#byLabels.set(labels, s);
    this.#byRef.set(newRef, s);
    return s;
  }

  /**
   * @internal Hands a committed transaction to the queue, each item to the shard of its series' hash;
   * `droppedBySeries` counts items of series that write relabeling dropped.
   */
  _commit(
    items: ItemBatch,
    droppedBySeries: Readonly<Record<'samples' | 'exemplars' | 'histograms', number>>,
    metadata: readonly MetadataEntry[],
  ): void {
    for (const k of ['samples', 'exemplars', 'histograms'] as const) {
      if (droppedBySeries[k] > 0) this.#metrics.dropped(k, droppedBySeries[k], 'dropped_series');
    }
    if (this.#closed) {
      const c = { samples: 0, exemplars: 0, histograms: 0 };
      for (let i = 0; i < items.length; i++) {
        const k = items.kind[i];
        c[k === 'exemplar' ? 'exemplars' : k === 'histogram' ? 'histograms' : 'samples']++;
      }
      for (const k of ['samples', 'exemplars', 'histograms'] as const)
        if (c[k] > 0) this.#metrics.dropped(k, c[k], 'shutdown');
      return;
    }
    for (const m of metadata) this.#metadata.set(m.familyName, m);
    this.#queue.enqueueBatch(items);
  }

  /** @internal An empty batch for a transaction; hand it back with {@link _releaseBatch} after commit. */
  _batch(): ItemBatch {
    return this.#spareBatches.pop() ?? new ItemBatch();
  }

  /** @internal Takes back a batch whose items were handed over or discarded. */
  _releaseBatch(batch: ItemBatch): void {
    // Scrapes append and commit in one go, so a few spares cover the transactions open at once; a
    // batch grown by an unusually large transaction is let go rather than kept for good.
    if (this.#spareBatches.length < MAX_SPARE_BATCHES && batch.series.length <= MAX_SPARE_ITEMS) {
      batch.clear();
      this.#spareBatches.push(batch);
    }
  }

  /** @internal */
  get _config(): RemoteWriteConfig {
    return this.#config;
  }

  /** @internal */
  _dropped(kind: 'exemplars' | 'histograms', reason: 'nhcb_in_rw1_not_supported'): void {
    this.#metrics.dropped(kind, 1, reason);
  }
}

/** One transaction: collects items, hands them to the queue on commit. */
class RemoteWriteAppender implements Appender {
  /** Taken from the storage on the first append, given back on commit or rollback. */
  #items: ItemBatch | undefined;
  #dropped = { samples: 0, exemplars: 0, histograms: 0 };
  #metadata: MetadataEntry[] = [];
  #done = false;

  constructor(private readonly storage: RemoteWriteStorage) {}

  #add(
    ref: SeriesRef,
    labels: Labels,
    kind: ItemKind,
    timestampMs: number,
    value: number,
    extra: ItemExtra,
  ): SeriesRef {
    if (this.#done) throw new Error('appender already committed or rolled back');
    const s = this.storage._series(ref, labels);
    if (s.dropped) {
      this.#dropped[kind === 'exemplar' ? 'exemplars' : kind === 'histogram' ? 'histograms' : 'samples']++;
    } else {
      // The final queue item is recorded here, once: commit only hands the batch over.
      this.#items ??= this.storage._batch();
      this.#items.push(s, kind, timestampMs, value, extra, s.hash);
    }
    return s.ref;
  }

  append(ref: SeriesRef, labels: Labels, timestampMs: number, value: number): SeriesRef {
    return this.#add(ref, labels, 'sample', timestampMs, value, undefined);
  }

  appendStale(ref: SeriesRef, labels: Labels, timestampMs: number): SeriesRef {
    return this.#add(ref, labels, 'stale', timestampMs, Number.NaN, undefined);
  }

  /**
   * An exemplar without a timestamp is queued under the current time (for ordering, age limits and the
   * highest-timestamp metric) but goes on the wire without one.
   */
  appendExemplar(ref: SeriesRef, labels: Labels, exemplar: Exemplar): SeriesRef {
    if (!this.storage._config.sendExemplars) return this.storage._series(ref, labels).ref;
    return this.#add(ref, labels, 'exemplar', exemplar.timestampMs ?? Date.now(), exemplar.value, exemplar);
  }

  appendHistogram(
    ref: SeriesRef,
    labels: Labels,
    timestampMs: number,
    histogram: NativeHistogram,
  ): SeriesRef {
    if (!this.storage._config.sendNativeHistograms) return this.storage._series(ref, labels).ref;
    if (histogram.schema === -53) {
      this.storage._dropped('histograms', 'nhcb_in_rw1_not_supported');
      return this.storage._series(ref, labels).ref;
    }
    return this.#add(ref, labels, 'histogram', timestampMs, Number.NaN, histogram);
  }

  updateMetadata(ref: SeriesRef, labels: Labels, metadata: Metadata): SeriesRef {
    if (this.#done) throw new Error('appender already committed or rolled back');
    const s = this.storage._series(ref, labels);
    // Labels of a dropped series are empty, so it has no name and sends no metadata.
    const name = s.labels.get('__name__');
    if (name !== '') {
      const fam = familyName(s.labels, metadata);
      this.#metadata.push({ familyName: fam, type: metadata.type, help: metadata.help, unit: metadata.unit });
    }
    return s.ref;
  }

  async commit(): Promise<void> {
    if (this.#done) throw new Error('appender already committed or rolled back');
    this.#done = true;
    const items = this.#items;
    this.#items = undefined;
    this.storage._commit(items ?? new ItemBatch(0), this.#dropped, this.#metadata);
    if (items) this.storage._releaseBatch(items);
    this.#metadata = [];
  }

  async rollback(): Promise<void> {
    this.#done = true;
    if (this.#items) this.storage._releaseBatch(this.#items);
    this.#items = undefined;
    this.#metadata = [];
  }
}

/** Creates a {@link RemoteWriteStorage} for one `remote_write` entry. */
export function createRemoteWrite(options: RemoteWriteOptions): RemoteWriteStorage {
  return new RemoteWriteStorage(options);
}
