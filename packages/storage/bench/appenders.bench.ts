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
bench.add(
  'RemoteWrite: 1000-sample scrape (append + commit + queue; encode+snappy as batches fill)',
  scraper(remote),
);
await bench.run();
await remote.close({ deadlineMs: 10_000 });
console.table(
  bench.tasks.map((t) => {
    const r = t.result as { latency?: { mean: number; p50?: number; p99?: number } } | undefined;
    return {
      task: t.name,
      'scrapes/s': r?.latency ? Math.round(1000 / r.latency.mean) : 'n/a',
      'ns/sample (mean)': r?.latency ? Math.round((r.latency.mean * 1e6) / SERIES) : 'n/a',
      'p50 µs': r?.latency?.p50 !== undefined ? (r.latency.p50 * 1000).toFixed(1) : 'n/a',
      'p99 µs': r?.latency?.p99 !== undefined ? (r.latency.p99 * 1000).toFixed(1) : 'n/a',
    };
  }),
);
console.log(`remote write sent ${sentBytes} compressed bytes`);

// Memory per stored point: 1000 series × 480 points (2 h at a 15 s interval), heap measured after GC.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = new MemoryStorage({ retentionMs: 3 * 3600_000 });
  await (async () => {
    const scrape = scraper(held);
    for (let k = 0; k < 480; k++) await scrape();
  })();
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(
    `MemoryStorage heap: ${((after - before) / (SERIES * 480)).toFixed(1)} bytes per point (${SERIES} series × 480 points)`,
  );
  await heapPerSeries(gc, 1);
  await heapPerSeries(gc, undefined);
}

/**
 * Memory per series as the agent keeps it: 100k series, two scrapes each (the second overwrites or adds
 * a point), label sets built and keyed beforehand so only the storage's own share is counted.
 */
async function heapPerSeries(gc: () => void, maxPointsPerSeries: number | undefined): Promise<void> {
  const n = 100_000;
  const many = seriesLabels(n);
  const refs = new Array<number>(n).fill(0);
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = new MemoryStorage({ maxSeries: 2 * n, ...(maxPointsPerSeries ? { maxPointsPerSeries } : {}) });
  for (let k = 1; k <= 2; k++) {
    const app = held.appender();
    for (let i = 0; i < n; i++) refs[i] = app.append(refs[i]!, many[i]!, 1_700_000_000_000 + k * 15_000, i);
    await app.commit();
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  const points = held.range([], 0, Number.POSITIVE_INFINITY).reduce((a, s) => a + s.samples.length, 0);
  console.log(
    `MemoryStorage heap: ${((after - before) / n).toFixed(1)} bytes per series (${n} series, ${points / n} point(s) each, maxPointsPerSeries ${maxPointsPerSeries ?? 'unbounded'})`,
  );
}
