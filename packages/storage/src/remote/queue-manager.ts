import type { Logger } from '@scrapewire/model';
import { snappyCompress } from './compress.js';
import type { RemoteWriteClient, SendResult } from './http-client.js';
import type {
  RemoteWriteDropReason,
  RemoteWriteItemKind,
  RemoteWriteMetrics,
} from './remote-write-metrics.js';
import { RingBuffer } from './ring-buffer.js';
import { encodeWriteRequest, type MetadataEntry, type QueueItem } from './write-request.js';

/** Options of {@link QueueManager}; the remote write storage fills them from `queue_config`. */
export interface QueueManagerOptions {
  readonly client: RemoteWriteClient;
  readonly shards: number;
  /** Items each shard buffers before dropping its oldest. */
  readonly capacityPerShard: number;
  readonly maxSamplesPerSend: number;
  readonly batchSendDeadlineMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Items older than this are not (re)sent; 0 disables the limit. */
  readonly sampleAgeLimitMs: number;
  readonly metadataMaxPerSend: number;
  readonly metrics: RemoteWriteMetrics;
  readonly logger: Logger;
}

/** What {@link QueueManager.close} reports. */
export interface CloseResult {
  /** True when everything queued was delivered (or definitively failed) before the deadline. */
  readonly flushed: boolean;
  /** Items still queued or in flight at the deadline, and so dropped. */
  readonly dropped: number;
}

function kindOf(item: QueueItem): RemoteWriteItemKind {
  switch (item.kind) {
    case 'sample':
    case 'stale':
      return 'samples';
    case 'exemplar':
      return 'exemplars';
    case 'histogram':
      return 'histograms';
  }
}

const KINDS: readonly RemoteWriteItemKind[] = ['samples', 'exemplars', 'histograms'];

function countKinds(items: readonly QueueItem[]): Record<RemoteWriteItemKind, number> {
  const c = { samples: 0, exemplars: 0, histograms: 0, metadata: 0 };
  for (const it of items) c[kindOf(it)]++;
  return c;
}

/**
 * Prometheus's remote write queue manager without the WAL: items are spread over a fixed number of
 * shards by a hash of their series (so each series' order is kept), each shard sends batches of
 * `maxSamplesPerSend`, or what it has once `batchSendDeadlineMs` passed since the first unsent item, one
 * request at a time. Recoverable failures (5xx, 429 when enabled, network errors, timeouts) are retried
 * without limit with exponential backoff between `minBackoffMs` and `maxBackoffMs`, honouring
 * `Retry-After`; other 4xx answers drop the batch and count it as failed.
 *
 * Memory is bounded: each shard holds at most `capacityPerShard` items besides the batch in flight; past
 * that the oldest are dropped and counted (`queue_full`). Unlike Prometheus, which blocks on its WAL,
 * there is nothing to re-read, so an outage longer than the buffer covers loses the oldest data.
 *
 * Time comes from the global `setTimeout` and `Date.now`, so tests drive it with fake timers.
 */
export class QueueManager {
  readonly #o: QueueManagerOptions;
  readonly #shards: Shard[];
  readonly #pending = { samples: 0, exemplars: 0, histograms: 0, metadata: 0 };
  readonly #abort = new AbortController();
  readonly #sleeps = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();
  readonly #idleWaiters = new Set<() => void>();
  #highestTimestampMs = 0;
  #highestSentMs = 0;
  #flushing = false;
  #stopped = false;
  #closing: Promise<CloseResult> | undefined;
  #metadataInFlight = false;

  constructor(options: QueueManagerOptions) {
    this.#o = options;
    this.#shards = Array.from({ length: options.shards }, () => new Shard(this, options.capacityPerShard));
    options.metrics.setShards(options.shards);
  }

  get options(): QueueManagerOptions {
    return this.#o;
  }
  get flushing(): boolean {
    return this.#flushing;
  }
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Queues one item on the shard chosen by its series hash. */
  enqueue(item: QueueItem, seriesHash: number): void {
    if (this.#stopped || this.#flushing) {
      this.dropped([item], 'shutdown');
      return;
    }
    const kind = kindOf(item);
    this.#pending[kind]++;
    this.#o.metrics.setPending(kind, this.#pending[kind]);
    if (item.timestampMs > this.#highestTimestampMs) {
      this.#highestTimestampMs = item.timestampMs;
      this.#o.metrics.setHighestTimestampSeconds(item.timestampMs / 1000);
    }
    this.#shards[seriesHash % this.#shards.length]!.enqueue(item);
  }

  /** Items queued or in flight, all shards together. */
  pendingCount(): number {
    return this.#pending.samples + this.#pending.exemplars + this.#pending.histograms;
  }

  /**
   * Sends metadata in chunks of `metadataMaxPerSend`, with the same retry rules as samples. A call while
   * the previous round is still being sent is skipped (the next interval sends the full set again).
   */
  async sendMetadata(entries: readonly MetadataEntry[]): Promise<void> {
    if (this.#metadataInFlight || this.#stopped || entries.length === 0) return;
    this.#metadataInFlight = true;
    try {
      for (let i = 0; i < entries.length && !this.#stopped; i += this.#o.metadataMaxPerSend) {
        const chunk = entries.slice(i, i + this.#o.metadataMaxPerSend);
        try {
          await this.sendWithRetry([], chunk);
        } catch (err) {
          this.#o.metrics.failed('metadata', chunk.length);
          this.#o.logger.error({ err }, 'unexpected error sending metadata to remote storage');
        }
      }
    } finally {
      this.#metadataInFlight = false;
    }
  }

  /** @internal Counts items that will never be sent. */
  dropped(items: readonly QueueItem[], reason: RemoteWriteDropReason, wasPending = false): void {
    const c = countKinds(items);
    for (const k of KINDS) {
      if (c[k] === 0) continue;
      this.#o.metrics.dropped(k, c[k], reason);
      if (wasPending) this.#settle(k, c[k]);
    }
  }

  #settle(kind: RemoteWriteItemKind, n: number): void {
    this.#pending[kind] -= n;
    this.#o.metrics.setPending(kind, this.#pending[kind]);
  }

  /** @internal Counts a batch that could not be sent because of an unexpected error. */
  failedBatch(items: readonly QueueItem[], err: unknown): void {
    const c = countKinds(items);
    for (const k of KINDS) {
      if (c[k] === 0) continue;
      this.#o.metrics.failed(k, c[k]);
      this.#settle(k, c[k]);
    }
    this.#o.logger.error(
      { err, items: items.length },
      'unexpected error sending to remote storage; batch dropped',
    );
  }

  /** @internal A sleep that ends early when the queue is stopped. */
  sleep(ms: number): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.#sleeps.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      this.#sleeps.add(entry);
    });
  }

  /**
   * @internal Sends one batch (and/or metadata) until it is delivered, rejected for good, or the queue
   * stops. Items dropped on the way are counted here.
   */
  async sendWithRetry(batch: QueueItem[], metadata: readonly MetadataEntry[] = []): Promise<void> {
    const o = this.#o;
    const isMetadata = batch.length === 0;
    let items = batch;
    let body = snappyCompress(encodeWriteRequest(items, metadata));
    let attempt = 0;
    let backoff = o.minBackoffMs;
    for (;;) {
      if (this.#stopped) {
        this.dropped(items, 'shutdown', true);
        return;
      }
      const started = performance.now();
      let result: SendResult;
      try {
        result = await o.client.send(body, attempt, this.#abort.signal);
      } catch (err) {
        // A client should classify its own errors; one that throws is treated as a network error.
        result = { kind: 'retry', message: `send threw: ${(err as Error)?.message ?? String(err)}` };
      }
      o.metrics.observeSentBatchDuration((performance.now() - started) / 1000);
      const counts = countKinds(items);
      if (result.kind === 'ok') {
        for (const k of KINDS) {
          if (counts[k] === 0) continue;
          o.metrics.sent(k, counts[k]);
          this.#settle(k, counts[k]);
        }
        if (isMetadata) o.metrics.sent('metadata', metadata.length);
        o.metrics.bytesSent(body.length, isMetadata);
        let maxTs = 0;
        for (const it of items) if (it.timestampMs > maxTs) maxTs = it.timestampMs;
        if (maxTs > this.#highestSentMs) {
          this.#highestSentMs = maxTs;
          o.metrics.setHighestSentTimestampSeconds(maxTs / 1000);
        }
        return;
      }
      if (result.kind === 'fail') {
        for (const k of KINDS) {
          if (counts[k] === 0) continue;
          o.metrics.failed(k, counts[k]);
          this.#settle(k, counts[k]);
        }
        if (isMetadata) o.metrics.failed('metadata', metadata.length);
        o.logger.error(
          { err: result.message, items: items.length, metadata: metadata.length },
          'non-recoverable error sending to remote storage; batch dropped',
        );
        return;
      }
      if (this.#stopped) continue;
      for (const k of KINDS) if (counts[k] > 0) o.metrics.retried(k, counts[k]);
      if (isMetadata) o.metrics.retried('metadata', metadata.length);
      const sleepMs =
        result.retryAfterMs !== undefined && result.retryAfterMs > 0 ? result.retryAfterMs : backoff;
      o.logger.warn({ err: result.message, attempt, backoffMs: sleepMs }, 'failed to send batch, retrying');
      await this.sleep(sleepMs);
      backoff = Math.min(sleepMs * 2, o.maxBackoffMs);
      attempt++;
      if (o.sampleAgeLimitMs > 0 && !isMetadata) {
        const minT = Date.now() - o.sampleAgeLimitMs;
        const kept = items.filter((it) => it.timestampMs >= minT);
        if (kept.length !== items.length) {
          this.dropped(
            items.filter((it) => it.timestampMs < minT),
            'too_old',
            true,
          );
          items = kept;
          if (items.length === 0) return;
          body = snappyCompress(encodeWriteRequest(items, metadata));
        }
      }
    }
  }

  /** @internal Called by shards when they become idle. */
  checkIdle(): void {
    if (this.#shards.every((s) => s.idle)) {
      for (const w of this.#idleWaiters) w();
      this.#idleWaiters.clear();
    }
  }

  /**
   * Flushes everything queued, then stops. Sends partial batches at once; a batch being retried keeps
   * retrying until `deadlineMs` passes, after which in-flight requests are aborted and what is left is
   * dropped and counted (`shutdown`). Idempotent: later calls return the first call's result.
   */
  close(options: { deadlineMs?: number } = {}): Promise<CloseResult> {
    this.#closing ??= this.#close(options.deadlineMs ?? 60_000);
    return this.#closing;
  }

  async #close(deadlineMs: number): Promise<CloseResult> {
    this.#flushing = true;
    const idle = new Promise<void>((resolve) => this.#idleWaiters.add(resolve));
    for (const s of this.#shards) s.kick();
    this.checkIdle();
    let deadlineTimer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      idle.then(() => false),
      new Promise<boolean>((resolve) => {
        deadlineTimer = setTimeout(() => resolve(true), deadlineMs);
      }),
    ]);
    clearTimeout(deadlineTimer);
    // Everything still pending now (buffered or in flight) is about to be dropped.
    const dropped = this.pendingCount();
    this.#stopped = true;
    this.#abort.abort();
    for (const s of this.#sleeps) {
      clearTimeout(s.timer);
      s.resolve();
    }
    this.#sleeps.clear();
    // Let aborted sends unwind; they count their own batches as dropped.
    await Promise.all(this.#shards.map((s) => s.stop()));
    for (const s of this.#shards) this.dropped(s.drain(), 'shutdown', true);
    await this.#o.client.close();
    if (timedOut)
      this.#o.logger.warn({ dropped, deadlineMs }, 'remote write queue not flushed before the deadline');
    return { flushed: !timedOut && dropped === 0, dropped };
  }
}

/** One shard: a bounded buffer and at most one batch in flight. */
class Shard {
  readonly #q: QueueManager;
  readonly #buffer: RingBuffer<QueueItem>;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #loop: Promise<void> | undefined;

  constructor(q: QueueManager, capacity: number) {
    this.#q = q;
    this.#buffer = new RingBuffer(capacity);
  }

  get idle(): boolean {
    return this.#loop === undefined && this.#buffer.length === 0;
  }

  enqueue(item: QueueItem): void {
    const dropped = this.#buffer.push(item);
    if (dropped) this.#q.dropped([dropped], 'queue_full', true);
    this.kick();
  }

  /** Starts sending if a full batch is waiting (or on flush), else arms the batch deadline. */
  kick(): void {
    if (this.#loop || this.#q.stopped) return;
    const max = this.#q.options.maxSamplesPerSend;
    if (this.#buffer.length >= max || (this.#q.flushing && this.#buffer.length > 0)) {
      this.#start(false);
    } else if (this.#buffer.length > 0 && this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!this.#loop && this.#buffer.length > 0) this.#start(true);
      }, this.#q.options.batchSendDeadlineMs);
    }
  }

  #start(partial: boolean): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#loop = this.#run(partial).finally(() => {
      this.#loop = undefined;
      this.kick();
      this.#q.checkIdle();
    });
  }

  async #run(partial: boolean): Promise<void> {
    const max = this.#q.options.maxSamplesPerSend;
    while (
      !this.#q.stopped &&
      this.#buffer.length > 0 &&
      (partial || this.#q.flushing || this.#buffer.length >= max)
    ) {
      partial = false;
      const batch = this.#buffer.take(max);
      try {
        await this.#q.sendWithRetry(batch);
      } catch (err) {
        // Only a bug (e.g. an unencodable item) gets here; drop the batch rather than wedge the shard.
        this.#q.failedBatch(batch, err);
      }
    }
  }

  /** Waits for the batch in flight (already aborted) to unwind, and disarms the timer. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#loop;
  }

  /** Everything still buffered. */
  drain(): QueueItem[] {
    return this.#buffer.take(this.#buffer.length);
  }
}
