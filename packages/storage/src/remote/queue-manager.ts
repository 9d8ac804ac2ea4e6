import type { Logger } from '@scrapewire/model';
import { snappyCompress } from './compress.js';
import type { RemoteWriteClient, SendResult } from './http-client.js';
import type {
  RemoteWriteDropReason,
  RemoteWriteItemKind,
  RemoteWriteMetrics,
} from './remote-write-metrics.js';
import { extraOf, ItemBatch, type ItemKind, ItemRing } from './item-batch.js';
import { encodeBatch, type MetadataEntry, type QueueItem } from './write-request.js';

/** Options of {@link QueueManager}; the remote write storage fills them from `queue_config`. */
export interface QueueManagerOptions {
  readonly client: RemoteWriteClient;
  /** Shards to start with; resharding then moves between `minShards` and `maxShards`. */
  readonly shards: number;
  /** Fewest shards resharding may choose. @defaultValue `shards` */
  readonly minShards?: number;
  /** Most shards resharding may choose; equal to `minShards` disables resharding. @defaultValue `shards` */
  readonly maxShards?: number;
  /** How often the desired shard count is computed. @defaultValue `10_000` (Prometheus's fixed 10 s) */
  readonly reshardIntervalMs?: number;
  /** Items each shard buffers before dropping its oldest (ignored when `bufferSize` is set). */
  readonly capacityPerShard: number;
  /**
   * Items buffered over all shards together, whatever their number; when unset the total is
   * `capacityPerShard × shards` and so grows and shrinks with resharding.
   */
  readonly bufferSize?: number;
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

function kindOf(kind: ItemKind): RemoteWriteItemKind {
  switch (kind) {
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

function countKinds(items: ItemBatch): Record<RemoteWriteItemKind, number> {
  const c = { samples: 0, exemplars: 0, histograms: 0, metadata: 0 };
  for (let i = 0; i < items.length; i++) c[kindOf(items.kind[i]!)]++;
  return c;
}

/** What {@link desiredShards} needs: rates per second, smoothed over the last reshard intervals. */
export interface ShardingInput {
  readonly current: number;
  readonly min: number;
  readonly max: number;
  /** Items entering the queue per second. */
  readonly inRate: number;
  /** Items delivered per second. */
  readonly outRate: number;
  /** Items leaving the queue unsent for reasons other than overflow (too old) per second. */
  readonly droppedRate: number;
  /** Seconds spent sending per second, all shards summed (so 2 means two sends always in flight). */
  readonly sendSecondsPerSecond: number;
  /** Newest timestamp queued minus newest timestamp delivered, in seconds. */
  readonly delaySeconds: number;
}

/** Relative change below which the shard count is left alone, so it does not flap. */
const SHARD_TOLERANCE = 0.3;
/** Share of the backlog the shards should catch up on per second, on top of the incoming rate. */
const BACKLOG_GAIN = 0.05;
/** Reshard intervals after a buffer overflow during which the shard count does not go down. */
const OVERFLOW_HOLD_INTERVALS = 6;
/** Weight of the newest interval in the smoothed rates. */
const EWMA_WEIGHT = 0.2;

/**
 * The shard count that would keep up, following Prometheus's rule: the time one item takes to send
 * times the items that must go out per second (the incoming rate, less what is dropped anyway, plus a
 * little of the backlog). Returns `current` when there is nothing to base a decision on, when the result
 * is within ±30 % of it, or when the queue is more than one interval behind and the result is lower;
 * otherwise the result clamped to `[min, max]`.
 */
export function desiredShards(x: ShardingInput, intervalSeconds = 10): number {
  if (!(x.outRate > 0)) return x.current;
  const keptRatio = x.outRate / (x.outRate + x.droppedRate);
  const timePerItem = x.sendSecondsPerSecond / x.outRate;
  const backlog = Math.max(0, x.delaySeconds) * x.inRate * keptRatio;
  const raw = timePerItem * (x.inRate * keptRatio + BACKLOG_GAIN * backlog);
  let want = Math.ceil(raw);
  if (want >= x.current * (1 - SHARD_TOLERANCE) && want <= x.current * (1 + SHARD_TOLERANCE)) {
    want = x.current;
  }
  if (want < x.current && x.delaySeconds > intervalSeconds) want = x.current;
  return Math.min(x.max, Math.max(x.min, want));
}

/** A rate per second smoothed exponentially over ticks; the first tick sets it outright. */
class EwmaRate {
  #count = 0;
  #rate = 0;
  #init = false;
  add(n: number): void {
    this.#count += n;
  }
  tick(seconds: number): number {
    const instant = this.#count / seconds;
    this.#count = 0;
    if (this.#init) this.#rate += EWMA_WEIGHT * (instant - this.#rate);
    else {
      this.#rate = instant;
      this.#init = true;
    }
    return this.#rate;
  }
  get rate(): number {
    return this.#rate;
  }
}

/**
 * Prometheus's remote write queue manager without the WAL: items are spread over shards by a hash of
 * their series (so each series' order is kept), each shard sends batches of
 * `maxSamplesPerSend`, or what it has once `batchSendDeadlineMs` passed since the first unsent item, one
 * request at a time. Recoverable failures (5xx, 429 when enabled, network errors, timeouts) are retried
 * without limit with exponential backoff between `minBackoffMs` and `maxBackoffMs`, honouring
 * `Retry-After`; other 4xx answers drop the batch and count it as failed.
 *
 * Memory is bounded: each shard holds at most `capacityPerShard` items (or its share of `bufferSize`)
 * besides the batch in flight; past that the oldest are dropped and counted (`queue_full`). Unlike
 * Prometheus, which blocks on its WAL, there is nothing to re-read, so an outage longer than the buffer
 * covers loses the oldest data.
 *
 * Resharding: every `reshardIntervalMs` the queue computes {@link desiredShards} from smoothed rates of
 * items in, items out and time spent sending, and moves to that count when it differs; a buffer
 * overflow brings that decision forward (at most every tenth of the interval) and, when the rates alone
 * would not add a shard, adds one anyway (bursts outgrew the buffer, which grows with the shards), and
 * keeps the count from going down for six intervals. It does not
 * reshard while a batch is being retried, when something is pending but nothing was delivered during the
 * last interval, or once close() began. To keep each series in order, a reshard first lets the old
 * shards send everything they hold (partial batches too) while new items wait in a holding buffer
 * (bounded by the same total, dropping its oldest as `queue_full`), then starts the new shards and
 * routes the held items to them by hash.
 *
 * Items travel in columns ({@link ItemBatch}, {@link ItemRing}) rather than an object each: the queue
 * sees every scraped sample. {@link enqueue} takes one {@link QueueItem} for callers that have them.
 *
 * Time comes from the global `setTimeout` and `Date.now`, so tests drive it with fake timers.
 */
export class QueueManager {
  readonly #o: QueueManagerOptions;
  #shards: Shard[];
  readonly #minShards: number;
  readonly #maxShards: number;
  readonly #reshardIntervalMs: number;
  #reshardTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while the old shards drain; new items wait in `#held` meanwhile. */
  #resharding: Promise<void> | undefined;
  #held: ItemRing | undefined;
  readonly #dataIn = new EwmaRate();
  readonly #dataOut = new EwmaRate();
  readonly #dataDropped = new EwmaRate();
  readonly #sendDurationMs = new EwmaRate();
  #lastDeliveryMs = 0;
  #lastTickMs = 0;
  #overflowed = false;
  #lastOverflowMs = Number.NEGATIVE_INFINITY;
  #earlyTickQueued = false;
  /** Batches currently waiting between retries (resharding waits for them to succeed). */
  #retrying = 0;
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
    this.#minShards = Math.max(1, Math.min(options.minShards ?? options.shards, options.shards));
    this.#maxShards = Math.max(options.maxShards ?? options.shards, options.shards);
    this.#reshardIntervalMs = options.reshardIntervalMs ?? 10_000;
    this.#shards = this.#makeShards(options.shards);
    options.metrics.setShards(options.shards);
    this.#lastDeliveryMs = Date.now();
    this.#lastTickMs = this.#lastDeliveryMs;
    if (this.#maxShards > this.#minShards && this.#reshardIntervalMs > 0) this.#armReshard();
  }

  /** Current number of shards (the target count while a reshard is under way). */
  get shardCount(): number {
    return this.#shards.length;
  }

  #perShardCapacity(n: number): number {
    const total = this.#o.bufferSize;
    return total !== undefined ? Math.max(1, Math.ceil(total / n)) : this.#o.capacityPerShard;
  }

  #makeShards(n: number): Shard[] {
    const cap = this.#perShardCapacity(n);
    return Array.from({ length: n }, () => new Shard(this, cap));
  }

  #armReshard(): void {
    this.#reshardTimer = setTimeout(() => {
      this.#reshardTimer = undefined;
      if (this.#flushing || this.#stopped) return;
      this.#updateShards();
      this.#armReshard();
    }, this.#reshardIntervalMs);
    // The reshard timer alone must not keep the process alive.
    this.#reshardTimer.unref?.();
  }

  /**
   * A buffer overflowed: rather than lose data until the next regular tick, decide now if at least a
   * tenth of the interval has passed since the last decision. (Prometheus never overflows, its WAL holds
   * the backlog; without one, waiting 10 s at startup under load would drop most of those 10 s.)
   */
  #onOverflow(): void {
    this.#overflowed = true;
    this.#lastOverflowMs = Date.now();
    if (this.#reshardTimer === undefined || this.#resharding || this.#earlyTickQueued) return;
    if (Date.now() - this.#lastTickMs < Math.max(1, this.#reshardIntervalMs / 10)) return;
    this.#earlyTickQueued = true;
    // Not from inside enqueue(): let the shard that overflowed finish its own bookkeeping first.
    queueMicrotask(() => {
      this.#earlyTickQueued = false;
      if (this.#reshardTimer === undefined || this.#flushing || this.#stopped) return;
      clearTimeout(this.#reshardTimer);
      this.#updateShards();
      this.#armReshard();
    });
  }

  /** One reshard tick: updates the smoothed rates and reshards when they call for it. */
  #updateShards(): void {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - this.#lastTickMs) / 1000);
    this.#lastTickMs = now;
    const overflowed = this.#overflowed;
    this.#overflowed = false;
    const inRate = this.#dataIn.tick(seconds);
    const outRate = this.#dataOut.tick(seconds);
    const droppedRate = this.#dataDropped.tick(seconds);
    const sendSecondsPerSecond = this.#sendDurationMs.tick(seconds) / 1000;
    if (this.#resharding) return;
    const current = this.#shards.length;
    if (this.#retrying > 0) return;
    // Something waits but nothing got through lately: the receiver is struggling, more shards won't help.
    if (this.pendingCount() > 0 && now - this.#lastDeliveryMs > this.#reshardIntervalMs) return;
    const delaySeconds =
      this.pendingCount() > 0 ? Math.max(0, (this.#highestTimestampMs - this.#highestSentMs) / 1000) : 0;
    let want = desiredShards(
      {
        current,
        min: this.#minShards,
        max: this.#maxShards,
        inRate,
        outRate,
        droppedRate,
        sendSecondsPerSecond,
        delaySeconds,
      },
      this.#reshardIntervalMs / 1000,
    );
    // Buffers overflowed since the last decision although the rates say the shards keep up: bursts
    // outgrow the buffer, which grows with the shard count, so add one rather than keep dropping; and
    // for a while after an overflow, keep the shards (and buffer) there are.
    if (overflowed && want <= current) want = Math.min(this.#maxShards, current + 1);
    if (want < current && now - this.#lastOverflowMs < OVERFLOW_HOLD_INTERVALS * this.#reshardIntervalMs)
      want = current;
    // Nothing coming in, nothing waiting: fall back to the minimum (Prometheus would keep the count).
    if (outRate === 0 && inRate === 0 && this.pendingCount() === 0) want = this.#minShards;
    if (want !== current) this.reshard(want);
  }

  /**
   * Moves to `n` shards (clamped to the configured range): the old shards send all they hold, new items
   * wait meanwhile, then the new shards start. Resolves when the new shards run; a call during a reshard
   * or after close() began does nothing.
   */
  reshard(n: number): Promise<void> {
    const target = Math.min(this.#maxShards, Math.max(this.#minShards, Math.floor(n)));
    if (this.#resharding || this.#flushing || this.#stopped || target === this.#shards.length) {
      return this.#resharding ?? Promise.resolve();
    }
    this.#o.logger.info({ from: this.#shards.length, to: target }, 'remote write resharding');
    // Memory stays within the larger of the old and the new limit while the old shards drain.
    this.#held = new ItemRing(
      Math.max(this.#totalCapacity(target), this.#totalCapacity(this.#shards.length)),
    );
    this.#resharding = this.#reshard(target).finally(() => {
      this.#resharding = undefined;
      this.checkIdle();
    });
    return this.#resharding;
  }

  #totalCapacity(n: number): number {
    return this.#o.bufferSize ?? this.#o.capacityPerShard * n;
  }

  async #reshard(target: number): Promise<void> {
    const old = this.#shards;
    await Promise.all(old.map((s) => s.drainForReshard()));
    if (this.#stopped) return; // close() drops what is held and what the old shards kept
    const next = this.#makeShards(target);
    const held = this.#held!;
    this.#shards = next;
    this.#held = undefined;
    this.#o.metrics.setShards(target);
    // In chunks, so the held items are not all copied at once.
    for (let b = held.take(4096); b.length > 0; b = held.take(4096))
      for (let i = 0; i < b.length; i++) next[b.hash[i]! % target]!.enqueueFrom(b, i);
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
    const one = new ItemBatch(1);
    one.push(item.series, item.kind, item.timestampMs, item.value, extraOf(item), seriesHash);
    this.enqueueBatch(one);
  }

  /**
   * @internal Queues every item of `batch`, in order, each on the shard its `hash` picks: what
   * {@link enqueue} does per item, without an object per item. The counters are updated once per batch,
   * and items are copied column to column, never passed on as arguments (which boxes doubles).
   */
  enqueueBatch(batch: ItemBatch): void {
    const n = batch.length;
    if (n === 0) return;
    const kinds = batch.kind;
    if (this.#stopped || this.#flushing) {
      for (let i = 0; i < n; i++) this.droppedOne(kinds[i]!, 'shutdown');
      return;
    }
    const ts = batch.timestampMs;
    let highest = this.#highestTimestampMs;
    for (let i = 0; i < n; i++) {
      this.#pending[kindOf(kinds[i]!)]++;
      if (ts[i]! > highest) highest = ts[i]!;
    }
    this.#publishPendingSoon();
    if (highest > this.#highestTimestampMs) {
      this.#highestTimestampMs = highest;
      this.#o.metrics.setHighestTimestampSeconds(highest / 1000);
    }
    this.#dataIn.add(n);
    const held = this.#held;
    if (held) {
      // Old shards are draining: hold the items, within what the buffer may hold in total.
      for (let i = 0; i < n; i++) {
        let over = held.pushFrom(batch, i);
        if (!over && held.length + this.#bufferedInShards() > held.capacity) over = held.dropOldest();
        if (over) this.droppedOne(over, 'queue_full', true);
      }
      return;
    }
    const shards = this.#shards;
    const hash = batch.hash;
    for (let i = 0; i < n; i++) shards[hash[i]! % shards.length]!.add(batch, i);
    for (const s of shards) s.kick();
  }

  #bufferedInShards(): number {
    let n = 0;
    for (const s of this.#shards) n += s.buffered;
    return n;
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
          await this.sendWithRetry(new ItemBatch(), chunk);
        } catch (err) {
          this.#o.metrics.failed('metadata', chunk.length);
          this.#o.logger.error({ err }, 'unexpected error sending metadata to remote storage');
        }
      }
    } finally {
      this.#metadataInFlight = false;
    }
  }

  /** @internal Counts one item that will never be sent. */
  droppedOne(kind: ItemKind, reason: RemoteWriteDropReason, wasPending = false): void {
    const c = { samples: 0, exemplars: 0, histograms: 0, metadata: 0 };
    c[kindOf(kind)] = 1;
    this.#countDropped(c, 1, reason, wasPending);
  }

  /** @internal Counts items that will never be sent. */
  dropped(items: ItemBatch, reason: RemoteWriteDropReason, wasPending = false): void {
    this.#countDropped(countKinds(items), items.length, reason, wasPending);
  }

  #countDropped(
    c: Record<RemoteWriteItemKind, number>,
    n: number,
    reason: RemoteWriteDropReason,
    wasPending: boolean,
  ): void {
    if (reason === 'too_old') this.#dataDropped.add(n);
    else if (reason === 'queue_full') this.#onOverflow();
    for (const k of KINDS) {
      if (c[k] === 0) continue;
      this.#o.metrics.dropped(k, c[k], reason);
      if (wasPending) this.#settle(k, c[k]);
    }
  }

  #pendingPublishQueued = false;

  /**
   * Sets the pending gauges once after the current synchronous run — a scrape's whole commit — rather
   * than on every enqueued item: a metrics library call per sample showed in the agent's profile.
   */
  #publishPendingSoon(): void {
    if (this.#pendingPublishQueued) return;
    this.#pendingPublishQueued = true;
    queueMicrotask(() => {
      this.#pendingPublishQueued = false;
      for (const k of ['samples', 'exemplars', 'histograms'] as const)
        this.#o.metrics.setPending(k, this.#pending[k]);
    });
  }

  #settle(kind: RemoteWriteItemKind, n: number): void {
    this.#pending[kind] -= n;
    this.#o.metrics.setPending(kind, this.#pending[kind]);
  }

  /** @internal Counts a batch that could not be sent because of an unexpected error. */
  failedBatch(items: ItemBatch, err: unknown): void {
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
  async sendWithRetry(batch: ItemBatch, metadata: readonly MetadataEntry[] = []): Promise<void> {
    const o = this.#o;
    const isMetadata = batch.length === 0;
    let items = batch;
    let body = snappyCompress(encodeBatch(items, metadata, true));
    let attempt = 0;
    let backoff = o.minBackoffMs;
    const began = Date.now();
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
        else {
          this.#dataOut.add(items.length);
          this.#sendDurationMs.add(Date.now() - began);
          this.#lastDeliveryMs = Date.now();
        }
        o.metrics.bytesSent(body.length, isMetadata);
        let maxTs = 0;
        for (let i = 0; i < items.length; i++)
          if (items.timestampMs[i]! > maxTs) maxTs = items.timestampMs[i]!;
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
      this.#retrying++;
      try {
        await this.sleep(sleepMs);
      } finally {
        this.#retrying--;
      }
      backoff = Math.min(sleepMs * 2, o.maxBackoffMs);
      attempt++;
      if (o.sampleAgeLimitMs > 0 && !isMetadata) {
        const minT = Date.now() - o.sampleAgeLimitMs;
        const kept = new ItemBatch();
        const old = new ItemBatch();
        for (let i = 0; i < items.length; i++)
          (items.timestampMs[i]! >= minT ? kept : old).pushFrom(items, i);
        if (old.length > 0) {
          this.dropped(old, 'too_old', true);
          items = kept;
          if (items.length === 0) return;
          body = snappyCompress(encodeBatch(items, metadata, true));
        }
      }
    }
  }

  /** @internal Called by shards when they become idle. */
  checkIdle(): void {
    if (!this.#resharding && this.#shards.every((s) => s.idle)) {
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
    if (this.#reshardTimer !== undefined) clearTimeout(this.#reshardTimer);
    this.#reshardTimer = undefined;
    const idle = new Promise<void>((resolve) => this.#idleWaiters.add(resolve));
    // A reshard under way completes by itself (its old shards are already draining) and then its new
    // shards see `flushing` and send what was held.
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
    await this.#resharding;
    await Promise.all(this.#shards.map((s) => s.stop()));
    for (const s of this.#shards) this.dropped(s.drain(), 'shutdown', true);
    const held = this.#held;
    this.#held = undefined;
    if (held) this.dropped(held.take(held.length), 'shutdown', true);
    await this.#o.client.close();
    if (timedOut)
      this.#o.logger.warn({ dropped, deadlineMs }, 'remote write queue not flushed before the deadline');
    return { flushed: !timedOut && dropped === 0, dropped };
  }
}

/** One shard: a bounded buffer and at most one batch in flight. */
class Shard {
  readonly #q: QueueManager;
  readonly #buffer: ItemRing;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #loop: Promise<void> | undefined;
  /** Set when a reshard retires this shard: send everything, partial batches included. */
  #draining = false;
  #drained: (() => void) | undefined;

  constructor(q: QueueManager, capacity: number) {
    this.#q = q;
    this.#buffer = new ItemRing(capacity);
  }

  get idle(): boolean {
    return this.#loop === undefined && this.#buffer.length === 0;
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  /** Sends all this shard holds; resolves once it is idle, or once the queue stopped. */
  drainForReshard(): Promise<void> {
    this.#draining = true;
    const done = new Promise<void>((resolve) => {
      this.#drained = resolve;
    });
    this.kick();
    this.#checkDrained();
    return done;
  }

  #checkDrained(): void {
    if (this.#drained && this.#loop === undefined && (this.#buffer.length === 0 || this.#q.stopped)) {
      const resolve = this.#drained;
      this.#drained = undefined;
      resolve();
    }
  }

  /** Buffers item `i` of `batch` without starting a send: the caller calls {@link kick} after a batch. */
  add(batch: ItemBatch, i: number): void {
    const dropped = this.#buffer.pushFrom(batch, i);
    if (dropped) this.#q.droppedOne(dropped, 'queue_full', true);
  }

  /** Queues item `i` of `batch`. */
  enqueueFrom(batch: ItemBatch, i: number): void {
    this.add(batch, i);
    this.kick();
  }

  /** Starts sending if a full batch is waiting (or on flush), else arms the batch deadline. */
  kick(): void {
    if (this.#loop || this.#q.stopped) return;
    const max = this.#q.options.maxSamplesPerSend;
    const sendAll = this.#q.flushing || this.#draining;
    if (this.#buffer.length >= max || (sendAll && this.#buffer.length > 0)) {
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
      this.#checkDrained();
      this.#q.checkIdle();
    });
  }

  async #run(partial: boolean): Promise<void> {
    const max = this.#q.options.maxSamplesPerSend;
    while (
      !this.#q.stopped &&
      this.#buffer.length > 0 &&
      (partial || this.#q.flushing || this.#draining || this.#buffer.length >= max)
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
    this.#checkDrained();
  }

  /** Everything still buffered. */
  drain(): ItemBatch {
    return this.#buffer.take(this.#buffer.length);
  }
}
