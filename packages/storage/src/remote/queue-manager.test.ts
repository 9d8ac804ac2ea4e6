import { Labels, noopLogger } from '@scrapewire/model';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeWriteRequest } from '../../test/prompb.js';
import { snappyUncompress } from './compress.js';
import type { RemoteWriteClient, SendResult } from './http-client.js';
import { desiredShards, QueueManager, type QueueManagerOptions } from './queue-manager.js';
import { InMemoryRemoteWriteMetrics } from './remote-write-metrics.js';
import { encodeLabels, type QueueItem } from './write-request.js';

interface Call {
  at: number;
  attempt: number;
  values: number[];
  names: string[];
  metadata: string[];
  signal: AbortSignal;
}

/** A client that records each attempt and answers with the next scripted result (default ok). */
function fakeClient(
  script: (n: number, call: Call) => SendResult | Promise<SendResult> = () => ({ kind: 'ok' }),
) {
  const calls: Call[] = [];
  const client: RemoteWriteClient & { calls: Call[]; closed: boolean } = {
    calls,
    closed: false,
    async send(body, attempt, signal) {
      const d = decodeWriteRequest(snappyUncompress(body));
      const call: Call = {
        at: Date.now(),
        attempt,
        values: d.timeseries.flatMap((t) => t.samples.map((s) => s.value)),
        names: d.timeseries.flatMap((t) => t.samples.map(() => t.labels.__name__!)),
        metadata: d.metadata.map((m) => m.metricFamilyName),
        signal,
      };
      calls.push(call);
      return script(calls.length - 1, call);
    },
    async close() {
      client.closed = true;
    },
  };
  return client;
}

const seriesCache = new Map<string, { labels: Labels; labelBytes: Uint8Array }>();
function item(name: string, value: number, timestampMs = Date.now()): QueueItem {
  let s = seriesCache.get(name);
  if (!s) {
    const labels = Labels.from({ __name__: name });
    s = { labels, labelBytes: encodeLabels(labels) };
    seriesCache.set(name, s);
  }
  return { series: s, kind: 'sample', timestampMs, value };
}

function queue(client: RemoteWriteClient, over: Partial<QueueManagerOptions> = {}) {
  const metrics = new InMemoryRemoteWriteMetrics();
  const q = new QueueManager({
    client,
    shards: 1,
    capacityPerShard: 1000,
    maxSamplesPerSend: 3,
    batchSendDeadlineMs: 5000,
    minBackoffMs: 100,
    maxBackoffMs: 400,
    sampleAgeLimitMs: 0,
    metadataMaxPerSend: 2,
    metrics,
    logger: noopLogger,
    ...over,
  });
  return { q, metrics };
}

describe('QueueManager', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a full batch at once and a partial one after batch_send_deadline', async () => {
    const c = fakeClient();
    const { q, metrics } = queue(c);
    for (let i = 1; i <= 4; i++) q.enqueue(item('a', i), 0);
    await vi.advanceTimersByTimeAsync(0);
    expect(c.calls.map((x) => x.values)).toEqual([[1, 2, 3]]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(c.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.calls.map((x) => x.values)).toEqual([[1, 2, 3], [4]]);
    expect(c.calls[1]!.at - c.calls[0]!.at).toBe(5000);
    expect(metrics.counts.sent.samples).toBe(4);
    expect(metrics.counts.pending.samples).toBe(0);
    expect(metrics.counts.highestSentTimestampSeconds).toBe(1000);
    await q.close();
  });

  it('retries recoverable errors with exponential backoff capped at max_backoff, delivering once', async () => {
    const c = fakeClient((n) => (n < 4 ? { kind: 'retry', message: 'HTTP 503' } : { kind: 'ok' }));
    const { q, metrics } = queue(c);
    for (let i = 1; i <= 3; i++) q.enqueue(item('a', i), 0);
    await vi.advanceTimersByTimeAsync(5000);
    const t0 = c.calls[0]!.at;
    // Sleeps 100, 200, 400, then capped at 400.
    expect(c.calls.map((x) => x.at - t0)).toEqual([0, 100, 300, 700, 1100]);
    expect(c.calls.map((x) => x.attempt)).toEqual([0, 1, 2, 3, 4]);
    expect(metrics.counts.retried.samples).toBe(12);
    expect(metrics.counts.sent.samples).toBe(3);
    await q.close();
  });

  it('waits Retry-After instead of the backoff when the answer gives one', async () => {
    const c = fakeClient((n) =>
      n === 0 ? { kind: 'retry', message: 'HTTP 429', retryAfterMs: 2000 } : { kind: 'ok' },
    );
    const { q } = queue(c);
    for (let i = 1; i <= 3; i++) q.enqueue(item('a', i), 0);
    await vi.advanceTimersByTimeAsync(1999);
    expect(c.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(c.calls).toHaveLength(2);
    await q.close();
  });

  it('drops a batch the receiver rejects for good, counts it failed, and goes on', async () => {
    const c = fakeClient((n) =>
      n === 0 ? { kind: 'fail', message: 'HTTP 400', status: 400 } : { kind: 'ok' },
    );
    const { q, metrics } = queue(c);
    for (let i = 1; i <= 6; i++) q.enqueue(item('a', i), 0);
    await vi.advanceTimersByTimeAsync(0);
    expect(c.calls.map((x) => x.values)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(metrics.counts.failed.samples).toBe(3);
    expect(metrics.counts.sent.samples).toBe(3);
    expect(metrics.counts.pending.samples).toBe(0);
    await q.close();
  });

  it('keeps at most capacity items while the receiver is down, dropping the oldest, and loses nothing that fits', async () => {
    let up = false;
    const c = fakeClient(() => (up ? { kind: 'ok' } : { kind: 'retry', message: 'connection refused' }));
    const { q, metrics } = queue(c, { capacityPerShard: 5 });
    for (let i = 1; i <= 3; i++) q.enqueue(item('a', i), 0); // taken as the batch in flight
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 4; i <= 12; i++) q.enqueue(item('a', i), 0); // 9 more into a buffer of 5
    expect(metrics.counts.dropped['samples:queue_full']).toBe(4);
    expect(q.pendingCount()).toBe(8);
    await vi.advanceTimersByTimeAsync(3000);
    up = true;
    await vi.advanceTimersByTimeAsync(10_000);
    const delivered = c.calls.filter((_, i) => i >= c.calls.length - 3).flatMap((x) => x.values);
    expect(delivered).toEqual([1, 2, 3, 8, 9, 10, 11, 12]);
    expect(metrics.counts.sent.samples).toBe(8);
    await q.close();
  });

  it('shards by series hash and keeps each series in order', async () => {
    const c = fakeClient();
    const { q } = queue(c, { shards: 4, maxSamplesPerSend: 5 });
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (let i = 0; i < 40; i++) q.enqueue(item(names[i % 8]!, i), (i % 8) * 7919);
    await vi.advanceTimersByTimeAsync(10_000);
    const perSeries = new Map<string, number[]>();
    for (const call of c.calls) {
      call.names.forEach((n, k) => {
        perSeries.set(n, [...(perSeries.get(n) ?? []), call.values[k]!]);
      });
    }
    for (const [n, vals] of perSeries) {
      const idx = names.indexOf(n);
      expect(vals).toEqual([0, 1, 2, 3, 4].map((r) => r * 8 + idx));
    }
    expect(c.calls.reduce((s, x) => s + x.values.length, 0)).toBe(40);
    await q.close();
  });

  it('flushes partial batches at once on close', async () => {
    const c = fakeClient();
    const { q } = queue(c);
    q.enqueue(item('a', 1), 0);
    const result = await q.close({ deadlineMs: 1000 });
    expect(result).toEqual({ flushed: true, dropped: 0 });
    expect(c.calls.map((x) => x.values)).toEqual([[1]]);
    expect(c.closed).toBe(true);
    // Nothing is accepted after close.
    q.enqueue(item('a', 2), 0);
    expect(q.pendingCount()).toBe(0);
  });

  it('gives up at the close deadline: aborts the request in flight and drops what is left', async () => {
    const c = fakeClient(
      (_, call) =>
        new Promise<SendResult>((resolve) => {
          call.signal.addEventListener('abort', () => resolve({ kind: 'retry', message: 'aborted' }));
        }),
    );
    const { q, metrics } = queue(c);
    for (let i = 1; i <= 5; i++) q.enqueue(item('a', i), 0);
    await vi.advanceTimersByTimeAsync(0);
    const closing = q.close({ deadlineMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(await closing).toEqual({ flushed: false, dropped: 5 });
    expect(c.calls[0]!.signal.aborted).toBe(true);
    expect(metrics.counts.dropped['samples:shutdown']).toBe(5);
    expect(metrics.counts.pending.samples).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('drops samples older than sample_age_limit when retrying', async () => {
    const c = fakeClient((n) => (n === 0 ? { kind: 'retry', message: 'HTTP 500' } : { kind: 'ok' }));
    const { q, metrics } = queue(c, { sampleAgeLimitMs: 50, minBackoffMs: 100 });
    const now = Date.now();
    q.enqueue(item('a', 1, now - 60), 0);
    q.enqueue(item('a', 2, now), 0);
    q.enqueue(item('a', 3, now + 100), 0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(c.calls.map((x) => x.values)).toEqual([[1, 2, 3], [3]]);
    expect(metrics.counts.dropped['samples:too_old']).toBe(2);
    await q.close();
  });

  it('sends metadata in chunks of metadata max_samples_per_send', async () => {
    const c = fakeClient();
    const { q, metrics } = queue(c);
    await q.sendMetadata(
      ['a', 'b', 'c'].map((familyName) => ({
        familyName,
        type: 'gauge' as const,
        help: `${familyName} help`,
        unit: '',
      })),
    );
    expect(c.calls.map((x) => x.metadata)).toEqual([['a', 'b'], ['c']]);
    expect(metrics.counts.sent.metadata).toBe(3);
    expect(metrics.counts.metadataBytes).toBeGreaterThan(0);
    await q.close();
  });

  it('treats a client that throws as a network error, and survives an unencodable item', async () => {
    let n = 0;
    const c: RemoteWriteClient = {
      async send() {
        n++;
        if (n === 1) throw new Error('socket hang up');
        return { kind: 'ok' };
      },
      async close() {},
    };
    const { q, metrics } = queue(c);
    for (let i = 1; i <= 3; i++) q.enqueue(item('a', i), 0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(2);
    expect(metrics.counts.sent.samples).toBe(3);
    const bad = { ...item('a', 4), kind: 'histogram' as const }; // a histogram item without a histogram
    q.enqueue(bad, 0);
    q.enqueue(item('a', 5), 0);
    q.enqueue(item('a', 6), 0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(metrics.counts.failed).toMatchObject({ samples: 2, histograms: 1 });
    q.enqueue(item('a', 7), 0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(metrics.counts.sent.samples).toBe(4);
    await q.close();
  });

  it('accounts for every item exactly once under random failures (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom<SendResult['kind']>('ok', 'ok', 'retry', 'fail'), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 60 }),
        async (script, shards, capacity, count) => {
          const delivered: string[] = [];
          const c: RemoteWriteClient = {
            async send(body, attempt) {
              const r = script[(attempt * 7 + delivered.length) % script.length]!;
              if (r === 'ok') {
                const d = decodeWriteRequest(snappyUncompress(body));
                for (const t of d.timeseries)
                  for (const x of t.samples) delivered.push(`${t.labels.__name__}:${x.value}`);
                return { kind: 'ok' };
              }
              return r === 'retry'
                ? { kind: 'retry', message: 'down' }
                : { kind: 'fail', message: 'bad', status: 400 };
            },
            async close() {},
          };
          const { q, metrics } = queue(c, { shards, capacityPerShard: capacity, maxSamplesPerSend: 4 });
          const names = ['a', 'b', 'c', 'd', 'e'];
          for (let i = 0; i < count; i++) q.enqueue(item(names[i % 5]!, i), (i % 5) * 31);
          // Give up eventually: the script may retry forever.
          const closing = q.close({ deadlineMs: 60_000 });
          await vi.advanceTimersByTimeAsync(60_000);
          await closing;
          const m = metrics.counts;
          const dropped = Object.values(m.dropped).reduce((x, y) => x + y, 0);
          expect(m.sent.samples + m.failed.samples + dropped).toBe(count);
          expect(delivered.length).toBe(m.sent.samples);
          expect(new Set(delivered).size).toBe(delivered.length);
          // Per series, what arrived is in enqueue order.
          for (const n of names) {
            const vals = delivered.filter((d) => d.startsWith(`${n}:`)).map((d) => Number(d.slice(2)));
            expect(vals).toEqual([...vals].sort((x, y) => x - y));
          }
          expect(m.pending.samples).toBe(0);
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('desiredShards', () => {
  const base = {
    current: 1,
    min: 1,
    max: 50,
    inRate: 0,
    outRate: 0,
    droppedRate: 0,
    sendSecondsPerSecond: 0,
    delaySeconds: 0,
  };
  it.each([
    // [case, overrides, expected]
    ['nothing delivered yet: keep the count', { inRate: 1000 }, 1],
    [
      'one shard busy all the time at half the incoming rate: double',
      { inRate: 2000, outRate: 1000, sendSecondsPerSecond: 1 },
      2,
    ],
    [
      'far behind: scale to the time per sample × incoming rate',
      { inRate: 100_000, outRate: 35_000, sendSecondsPerSecond: 1 },
      3,
    ],
    [
      'backlog adds 5 % of it per second',
      { inRate: 1000, outRate: 1000, sendSecondsPerSecond: 1, delaySeconds: 8 },
      2,
    ],
    ['within +30 %: unchanged', { current: 10, inRate: 1200, outRate: 1000, sendSecondsPerSecond: 10 }, 10],
    ['within -30 %: unchanged', { current: 10, inRate: 750, outRate: 1000, sendSecondsPerSecond: 10 }, 10],
    ['past -30 %: scale down', { current: 10, inRate: 500, outRate: 1000, sendSecondsPerSecond: 10 }, 5],
    [
      'no scale-down while more than an interval behind',
      { current: 10, inRate: 100, outRate: 1000, sendSecondsPerSecond: 10, delaySeconds: 11 },
      10,
    ],
    ['clamped to max', { max: 4, inRate: 100_000, outRate: 1000, sendSecondsPerSecond: 1 }, 4],
    ['clamped to min', { current: 10, min: 3, inRate: 1, outRate: 1000, sendSecondsPerSecond: 1 }, 3],
    [
      'items dropped as too old need no shard',
      { inRate: 2000, outRate: 1000, droppedRate: 1000, sendSecondsPerSecond: 1 },
      1,
    ],
  ])('%s', (_name, over, expected) => {
    expect(desiredShards({ ...base, ...over })).toBe(expected);
  });
});

describe('QueueManager resharding', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A receiver that takes `ms` per request and records, per series, the values in arrival order. */
  function slowClient(ms: number, answer: () => SendResult = () => ({ kind: 'ok' })) {
    const bySeries = new Map<string, number[]>();
    let inFlight = 0;
    let maxInFlight = 0;
    const client: RemoteWriteClient & { bySeries: typeof bySeries; maxInFlight: () => number } = {
      bySeries,
      maxInFlight: () => maxInFlight,
      async send(body) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, ms));
        inFlight--;
        const result = answer();
        if (result.kind === 'ok') {
          const d = decodeWriteRequest(snappyUncompress(body));
          for (const t of d.timeseries) {
            const name = t.labels.__name__!;
            const list = bySeries.get(name) ?? [];
            for (const s of t.samples) list.push(s.value);
            bySeries.set(name, list);
          }
        }
        return result;
      },
      async close() {},
    };
    return client;
  }

  const names = Array.from({ length: 20 }, (_, i) => `s${i}`);
  let seq = 0;
  /** Enqueues `perStep` items spread over 20 series every `stepMs`, for `ms`. */
  async function load(q: QueueManager, ms: number, perStep: number, stepMs = 100) {
    for (let t = 0; t < ms; t += stepMs) {
      for (let i = 0; i < perStep; i++) {
        const n = seq++;
        q.enqueue(item(names[n % names.length]!, n), (n % names.length) * 7919);
      }
      await vi.advanceTimersByTimeAsync(stepMs);
    }
  }
  const queueFull = (m: InMemoryRemoteWriteMetrics) => m.counts.dropped['samples:queue_full'] ?? 0;

  function expectInOrder(c: ReturnType<typeof slowClient>) {
    for (const [, vals] of c.bySeries) expect(vals).toEqual([...vals].sort((x, y) => x - y));
  }

  it('scales up under load until nothing is dropped, then back down to min when idle', async () => {
    seq = 0;
    // One shard moves 100 items / 100 ms = 1000/s; 5000/s come in.
    const c = slowClient(100);
    const { q, metrics } = queue(c, {
      maxSamplesPerSend: 100,
      capacityPerShard: 1000,
      minShards: 1,
      maxShards: 20,
      reshardIntervalMs: 1000,
    });
    await load(q, 3000, 500);
    expect(queueFull(metrics)).toBeGreaterThan(0);
    await load(q, 7000, 500);
    const shards = q.shardCount;
    expect(shards).toBeGreaterThanOrEqual(5);
    expect(metrics.counts.shards).toBe(shards);
    const before = queueFull(metrics);
    await load(q, 10_000, 500);
    expect(queueFull(metrics)).toBe(before);
    expect(c.maxInFlight()).toBeGreaterThan(1);
    // Idle: the smoothed rates decay and the count steps back to the minimum.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(q.shardCount).toBe(1);
    expect(metrics.counts.shards).toBe(1);
    const closed = q.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(await closed).toEqual({ flushed: true, dropped: 0 });
    const m = metrics.counts;
    expect(m.sent.samples + queueFull(metrics)).toBe(seq);
    expectInOrder(c);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('decides early when a buffer overflows instead of waiting for the next interval', async () => {
    seq = 0;
    const c = slowClient(100);
    const { q, metrics } = queue(c, {
      maxSamplesPerSend: 100,
      capacityPerShard: 1000,
      minShards: 1,
      maxShards: 20,
      reshardIntervalMs: 10_000,
    });
    await load(q, 3000, 500);
    expect(q.shardCount).toBeGreaterThan(1);
    await load(q, 9000, 500);
    // Overflows keep bringing decisions forward until the queue keeps up.
    expect(q.shardCount).toBeGreaterThanOrEqual(5);
    const settled = queueFull(metrics);
    await load(q, 10_000, 500);
    expect(queueFull(metrics)).toBe(settled);
    const closed = q.close();
    await vi.advanceTimersByTimeAsync(5000);
    expect((await closed).flushed).toBe(true);
    expectInOrder(c);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not scale down for six intervals after an overflow', async () => {
    seq = 0;
    const c = slowClient(100);
    const { q, metrics } = queue(c, {
      maxSamplesPerSend: 100,
      capacityPerShard: 1000,
      minShards: 1,
      maxShards: 20,
      reshardIntervalMs: 1000,
      batchSendDeadlineMs: 50,
    });
    let lastOverflow = 0;
    const record = metrics.dropped.bind(metrics);
    metrics.dropped = (kind, n, reason) => {
      if (reason === 'queue_full') lastOverflow = Date.now();
      record(kind, n, reason);
    };
    await load(q, 6000, 500);
    // Settled; now one burst larger than all buffers together.
    const settled = queueFull(metrics);
    await load(q, 100, 20_000);
    expect(queueFull(metrics)).toBeGreaterThan(settled);
    // A trickle: the rates alone would ask for one shard after a few intervals, but not within six
    // intervals of the last overflow.
    const seen: number[] = [];
    while (Date.now() - lastOverflow < 5500) {
      seen.push(q.shardCount);
      await load(q, 100, 1);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[0]).toBeGreaterThan(1);
    await load(q, 30_000, 1, 500);
    expect(q.shardCount).toBe(1);
    const closed = q.close();
    await vi.advanceTimersByTimeAsync(5000);
    expect((await closed).flushed).toBe(true);
    expectInOrder(c);
  });

  it('keeps each series in order across a reshard: old shards drain before new ones start', async () => {
    seq = 0;
    const c = slowClient(50);
    const { q, metrics } = queue(c, {
      maxSamplesPerSend: 10,
      capacityPerShard: 10_000,
      shards: 2,
      minShards: 1,
      maxShards: 8,
      reshardIntervalMs: 3_600_000,
    });
    await load(q, 500, 37, 25);
    const resharded = q.reshard(5);
    // Items arriving meanwhile wait, then go to the new shards by hash.
    await load(q, 500, 37, 25);
    await vi.advanceTimersByTimeAsync(5000);
    await resharded;
    expect(q.shardCount).toBe(5);
    expect(metrics.counts.shards).toBe(5);
    await load(q, 500, 37, 25);
    const down = q.reshard(3);
    await vi.advanceTimersByTimeAsync(5000);
    await down;
    expect(q.shardCount).toBe(3);
    const closed = q.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await closed).toEqual({ flushed: true, dropped: 0 });
    expect(metrics.counts.sent.samples).toBe(seq);
    expectInOrder(c);
    const total = [...c.bySeries.values()].reduce((n, v) => n + v.length, 0);
    expect(total).toBe(seq);
  });

  it('does not reshard while batches are being retried', async () => {
    const c = slowClient(100, () => ({ kind: 'retry', message: 'HTTP 503' }));
    const { q, metrics } = queue(c, {
      maxSamplesPerSend: 100,
      capacityPerShard: 1000,
      minShards: 1,
      maxShards: 20,
      reshardIntervalMs: 1000,
    });
    await load(q, 20_000, 500);
    expect(q.shardCount).toBe(1);
    expect(metrics.counts.shards).toBe(1);
    expect(metrics.counts.retried.samples).toBeGreaterThan(0);
    const closed = q.close({ deadlineMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    const r = await closed;
    expect(r.flushed).toBe(false);
    expect(metrics.counts.pending.samples).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close during a reshard sends what the old shards and the holding buffer have', async () => {
    seq = 0;
    const c = slowClient(50);
    const { q, metrics } = queue(c, { maxSamplesPerSend: 10, minShards: 1, maxShards: 8 });
    await load(q, 200, 23, 20);
    void q.reshard(4);
    for (let i = 0; i < 50; i++) {
      const n = seq++;
      q.enqueue(item(names[n % names.length]!, n), (n % names.length) * 7919);
    }
    const closed = q.close();
    // Refused once close() began.
    q.enqueue(item('late', 1), 0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await closed).toEqual({ flushed: true, dropped: 0 });
    expect(metrics.counts.sent.samples).toBe(seq);
    expect(metrics.counts.dropped['samples:shutdown']).toBe(1);
    expectInOrder(c);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close after a reshard flushes the new shards; a reshard after close does nothing', async () => {
    seq = 0;
    const c = slowClient(50);
    const { q, metrics } = queue(c, { maxSamplesPerSend: 10, minShards: 1, maxShards: 8 });
    await load(q, 200, 23, 20);
    const r = q.reshard(6);
    await vi.advanceTimersByTimeAsync(1000);
    await r;
    await load(q, 200, 23, 20);
    const closed = q.close();
    await q.reshard(2);
    expect(q.shardCount).toBe(6);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await closed).toEqual({ flushed: true, dropped: 0 });
    expect(metrics.counts.sent.samples).toBe(seq);
    expectInOrder(c);
  });

  it('drops what a reshard holds when close() hits its deadline, and accounts for all of it', async () => {
    seq = 0;
    const c = slowClient(50, () => ({ kind: 'retry', message: 'down' }));
    const { q, metrics } = queue(c, { maxSamplesPerSend: 10, minShards: 1, maxShards: 8 });
    await load(q, 200, 23, 20);
    void q.reshard(4);
    for (let i = 0; i < 50; i++) {
      const n = seq++;
      q.enqueue(item(names[n % names.length]!, n), (n % names.length) * 7919);
    }
    const closed = q.close({ deadlineMs: 5000 });
    await vi.advanceTimersByTimeAsync(6000);
    const r = await closed;
    expect(r.flushed).toBe(false);
    const m = metrics.counts;
    expect(m.sent.samples).toBe(0);
    expect(m.dropped['samples:shutdown']).toBe(seq);
    expect(r.dropped).toBe(seq);
    expect(m.pending.samples).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('bounds what is held during a reshard by the total buffer, dropping the oldest', async () => {
    seq = 0;
    const c = slowClient(1000);
    const { q, metrics } = queue(c, {
      maxSamplesPerSend: 10,
      minShards: 1,
      maxShards: 8,
      bufferSize: 100,
    });
    for (let i = 0; i < 30; i++) q.enqueue(item('a', seq++), 0);
    await vi.advanceTimersByTimeAsync(0);
    const r = q.reshard(2);
    for (let i = 0; i < 200; i++) q.enqueue(item('a', seq++), 0);
    expect(metrics.counts.dropped['samples:queue_full']).toBeGreaterThanOrEqual(100);
    expect(metrics.counts.pending.samples).toBeLessThanOrEqual(110);
    await vi.advanceTimersByTimeAsync(10_000);
    await r;
    const closed = q.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect((await closed).flushed).toBe(true);
    const m = metrics.counts;
    expect(m.sent.samples + m.dropped['samples:queue_full']!).toBe(seq);
    expectInOrder(c);
  });
});
