/**
 * Hot-path cost of the storages a scrape appends to: one "scrape" = 1000 series appended with their
 * refs (as the scrape cache does after the first scrape), then committed.
 * Run: pnpm bench appenders
 */
import { Labels } from '@scrapewire/model';
import { Bench } from 'tinybench';
import { MemoryStorage } from '../src/memory-storage.js';
import { createRemoteWrite } from '../src/remote/remote-write.js';
import { seriesLabels } from './series-labels.js';
import { remoteWriteConfig } from '../test/config.js';

const SERIES = 1000;
const labels = Array.from({ length: SERIES }, (_, i) =>
  Labels.from({ __name__: `metric_${i % 50}`, job: 'node', instance: 'host:9100', idx: String(i) }),
);

function scraper(storage: { appender(): import('../src/appender.js').Appender }) {
  const refs = new Array<number>(SERIES).fill(0);
  let t = 1_700_000_000_000;
  return async () => {
    t += 15_000;
    const app = storage.appender();
    for (let i = 0; i < SERIES; i++) refs[i] = app.append(refs[i]!, labels[i]!, t, i);
    await app.commit();
  };
}

/**
 * The agent's shape: 200 targets × 512 series, one transaction per target. Unlike the 1000 series
 * above, these no longer fit in the CPU caches, so this measures memory traffic as much as code.
 */
const AGENT_SERIES = 102_400;
const AGENT_TXN = 512;
const agentLabels = seriesLabels(AGENT_SERIES);

function agentScraper(storage: { appender(): import('../src/appender.js').Appender }) {
  const refs = new Array<number>(AGENT_SERIES).fill(0);
  let t = 1_700_000_000_000;
  return async () => {
    t += 1000;
    for (let from = 0; from < AGENT_SERIES; from += AGENT_TXN) {
      const app = storage.appender();
      for (let i = from; i < from + AGENT_TXN; i++) refs[i] = app.append(refs[i]!, agentLabels[i]!, t, i);
      await app.commit();
    }
  };
}

const memory = new MemoryStorage({ retentionMs: 3_600_000 });
// The agent's setting: only the newest point per series (what /federate needs).
const memoryLatest = new MemoryStorage({ retentionMs: 3_600_000, maxPointsPerSeries: 1 });
let sentBytes = 0;
const remote = createRemoteWrite({
  config: remoteWriteConfig('http://127.0.0.1:1/unused', {
    queueConfig: { maxSamplesPerSend: 2000, capacity: 1_000_000 },
  }),
  // Answers at once: measures append, commit, queueing, encoding and compression, not the network.
  client: {
    async send(body) {
      sentBytes += body.length;
      return { kind: 'ok' };
    },
    async close() {},
  },
});

const bench = new Bench({ time: 2000 });
bench.add('MemoryStorage: 1000-sample scrape (append with refs + commit)', scraper(memory));
bench.add('MemoryStorage maxPointsPerSeries 1: 1000-sample scrape', scraper(memoryLatest));
const agentTask = 'MemoryStorage maxPointsPerSeries 1: 102,400 series in 200 transactions (agent shape)';
bench.add(
  agentTask,
  agentScraper(new MemoryStorage({ retentionMs: 300_000, maxSeries: 1_000_000, maxPointsPerSeries: 1 })),
);
bench.add(
  'RemoteWrite: 1000-sample scrape (append + commit + queue; encode+snappy as batches fill)',
  scraper(remote),
);
await bench.run();
await remote.close({ deadlineMs: 10_000 });
console.table(
  bench.tasks.map((t) => {
    const r = t.result as { latency?: { mean: number; p50?: number; p99?: number } } | undefined;
    const samples = t.name === agentTask ? AGENT_SERIES : SERIES;
    return {
      task: t.name,
      'scrapes/s': r?.latency ? Math.round(1000 / r.latency.mean) : 'n/a',
      'ns/sample (mean)': r?.latency ? Math.round((r.latency.mean * 1e6) / samples) : 'n/a',
      'p50 µs': r?.latency?.p50 !== undefined ? (r.latency.p50 * 1000).toFixed(1) : 'n/a',
      'p99 µs': r?.latency?.p99 !== undefined ? (r.latency.p99 * 1000).toFixed(1) : 'n/a',
    };
  }),
);
console.log(`remote write sent ${sentBytes} compressed bytes`);

// Memory per stored point: 1000 series × 480 points (2 h at a 15 s interval), heap measured after GC.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  await settle(gc);
  const before = inUse();
  const held = new MemoryStorage({ retentionMs: 3 * 3600_000 });
  await (async () => {
    const scrape = scraper(held);
    for (let k = 0; k < 480; k++) await scrape();
  })();
  await settle(gc);
  const after = inUse();
  console.log(
    `MemoryStorage heap: ${((after - before) / (SERIES * 480)).toFixed(1)} bytes per point (${SERIES} series × 480 points)`,
  );
  await heapPerSeries(gc, 1);
  await heapPerSeries(gc, undefined);
  await heapPerSeries(gc, 1, { txnSize: 512, metadata: true });
}

/**
 * Memory per series as the agent keeps it: 100k series, two scrapes each (the second overwrites or adds
 * a point), label sets built and keyed beforehand so only the storage's own share is counted. By default
 * each scrape is one 100k-sample transaction; `txnSize` splits it as the agent's targets do (one
 * transaction per target, ~500 samples), so the transaction arrays the storage keeps for reuse weigh
 * little, and `metadata` reports metadata for every series, as a scrape of HELP/TYPE lines does.
 *
 * Counts the V8 heap and ArrayBuffer backing stores (typed arrays beyond a few dozen bytes live outside
 * the heap, so `heapUsed` alone would miss them), both resident in the process.
 */
async function heapPerSeries(
  gc: () => void,
  maxPointsPerSeries: number | undefined,
  shape: { txnSize?: number; metadata?: boolean } = {},
): Promise<void> {
  const n = 100_000;
  const txnSize = shape.txnSize ?? n;
  const many = seriesLabels(n);
  const refs = new Array<number>(n).fill(0);
  const meta = { type: 'counter', help: 'Some help text.', unit: '' } as const;
  await settle(gc);
  const before = process.memoryUsage();
  const held = new MemoryStorage({ maxSeries: 2 * n, ...(maxPointsPerSeries ? { maxPointsPerSeries } : {}) });
  for (let k = 1; k <= 2; k++) {
    for (let from = 0; from < n; from += txnSize) {
      const app = held.appender();
      for (let i = from; i < Math.min(n, from + txnSize); i++) {
        refs[i] = app.append(refs[i]!, many[i]!, 1_700_000_000_000 + k * 15_000, i);
        if (shape.metadata && k === 1) app.updateMetadata(refs[i]!, many[i]!, meta);
      }
      await app.commit();
    }
  }
  await settle(gc);
  const after = process.memoryUsage();
  const heap = (after.heapUsed - before.heapUsed) / n;
  const buffers = (after.arrayBuffers - before.arrayBuffers) / n;
  const points = held.range([], 0, Number.POSITIVE_INFINITY).reduce((a, s) => a + s.samples.length, 0);
  const how = `${txnSize === n ? 'one transaction' : `transactions of ${txnSize}`}${shape.metadata ? ', metadata' : ''}`;
  console.log(
    `MemoryStorage heap: ${(heap + buffers).toFixed(1)} bytes per series (V8 heap ${heap.toFixed(1)} + array buffers ${buffers.toFixed(1)}; ${n} series, ${points / n} point(s) each, maxPointsPerSeries ${maxPointsPerSeries ?? 'unbounded'}, ${how})`,
  );
}

/**
 * Collects garbage until the figures settle: V8 releases the backing stores of dead ArrayBuffers after a
 * collection, on a background sweeper, so `arrayBuffers` read right after `gc()` can still count buffers
 * that are gone (those a growing typed array left behind, say).
 */
async function settle(gc: () => void): Promise<void> {
  for (let k = 0; k < 3; k++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  gc();
}

/** Bytes in the V8 heap and in ArrayBuffer backing stores (where typed arrays past a few dozen bytes live). */
function inUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
