/**
 * Chooses the protobuf encoder and the snappy library of remote write by measurement.
 * Run: pnpm bench remote-write-encode
 *
 * One batch = `max_samples_per_send` (2000, Prometheus 3's default) float samples over 500 series of
 * node-exporter-like labels.
 */
import { Labels } from '@scrapewire/model';
import * as snappyNapi from 'snappy';
import snappyjs from 'snappyjs';
import { Bench } from 'tinybench';
import { ItemBatch } from '../src/remote/item-batch.js';
import { SnappyCompressor } from '../src/remote/snappy-compress.js';
import {
  BinarySeries,
  encodeBatch,
  encodeLabels,
  encodeLabelsBinary,
  encodeWriteRequest,
  type QueueItem,
} from '../src/remote/write-request.js';
import { WriteRequestType } from '../test/prompb.js';

const SERIES = 500;
const SAMPLES = 2000;
const series = Array.from({ length: SERIES }, (_, i) => {
  const labels = Labels.from({
    __name__: `node_cpu_seconds_total`,
    cpu: String(i % 64),
    mode: ['idle', 'user', 'system', 'iowait'][i % 4]!,
    instance: `host-${Math.floor(i / 64)}.example.org:9100`,
    job: 'node',
  });
  return { labels, labelBytes: encodeLabels(labels) };
});
const t0 = 1_700_000_000_000;
const items: QueueItem[] = Array.from({ length: SAMPLES }, (_, i) => ({
  series: series[i % SERIES]!,
  kind: 'sample',
  timestampMs: t0 + Math.floor(i / SERIES) * 15_000,
  value: Math.random() * 1e6,
}));
/** The same items over series that keep their label bytes as a latin1 string, as RemoteWriteStorage does. */
const binarySeries = series.map((s) => new BinarySeries(s.labels, encodeLabelsBinary(s.labels)));
const binaryItems: QueueItem[] = items.map((it, i) => ({ ...it, series: binarySeries[i % SERIES]! }));

/**
 * Agent-shaped batch: 2000 different series, one sample each (at a 1 s interval a batch fills in a few
 * ms, so a series rarely appears twice in it), with both label byte representations.
 */
const agentItems = (binary: boolean): QueueItem[] =>
  Array.from({ length: SAMPLES }, (_, i) => {
    const labels = Labels.from({
      __name__: `node_metric_${i % 300}`,
      cpu: String(i % 64),
      instance: `host-${Math.floor(i / 500)}.example.org:9100`,
      job: 'node',
    });
    return {
      series: binary
        ? new BinarySeries(labels, encodeLabelsBinary(labels))
        : { labels, labelBytes: encodeLabels(labels) },
      kind: 'sample',
      timestampMs: t0,
      value: Math.random() * 1e6,
    };
  });
// The queue holds items in columns and encodes them with encodeBatch; encodeWriteRequest (the public
// QueueItem[] entry) converts to columns first.
const batch = ItemBatch.from(items);
const binaryBatch = ItemBatch.from(binaryItems);
const agentPlain = ItemBatch.from(agentItems(false));
const agentBinary = ItemBatch.from(agentItems(true));

/** The same request as plain objects for protobufjs, grouped by series as the hand encoder does. */
function toProtobufjsObject() {
  const bySeries = new Map<(typeof series)[number], { value: number; timestamp: number }[]>();
  for (const it of items) {
    let l = bySeries.get(it.series as (typeof series)[number]);
    if (!l) {
      l = [];
      bySeries.set(it.series as (typeof series)[number], l);
    }
    l.push({ value: it.value, timestamp: it.timestampMs });
  }
  return {
    timeseries: [...bySeries].map(([s, samples]) => ({
      labels: [...s.labels].map(([name, value]) => ({ name, value })),
      samples,
    })),
  };
}

const encoded = encodeWriteRequest(items);
/** The hand-written compressor snappyCompress uses, with its reused hash table and scratch. */
const compressor = new SnappyCompressor();
console.log(`request: ${items.length} samples, ${SERIES} series, ${encoded.length} bytes protobuf`);
console.log(
  `snappy (napi) block: ${snappyNapi.compressSync(encoded).length} bytes; snappyjs: ${snappyjs.compress(encoded).length} bytes; SnappyCompressor: ${compressor.compress(encoded).length} bytes`,
);

const bench = new Bench({ time: 1000 });
bench
  .add('encode: hand-written encoder (label bytes as Uint8Array)', () => {
    encodeBatch(batch);
  })
  .add(
    'encode: hand-written encoder (label bytes as latin1 string, as RemoteWriteStorage keeps them)',
    () => {
      encodeBatch(binaryBatch);
    },
  )
  .add('encode, agent-shaped (2000 series x 1 sample), label bytes as Uint8Array', () => {
    encodeBatch(agentPlain);
  })
  .add('encode, agent-shaped (2000 series x 1 sample), label bytes as latin1 string', () => {
    encodeBatch(agentBinary);
  })
  .add('encode: encodeWriteRequest (QueueItem[], converted to columns first), latin1 labels', () => {
    encodeWriteRequest(binaryItems);
  })
  .add('encode: protobufjs (fromObject + encode, objects built per batch)', () => {
    WriteRequestType.encode(WriteRequestType.fromObject(toProtobufjsObject())).finish();
  })
  .add('compress: snappy (napi-rs, native) compressSync', () => {
    snappyNapi.compressSync(encoded);
  })
  .add('compress: snappyjs (pure JS)', () => {
    snappyjs.compress(encoded);
  })
  .add('compress: SnappyCompressor (hand-written, reused table + scratch, exact-size copy out)', () => {
    compressor.compress(encoded);
  })
  .add('encode + compress (previous: hand-written + snappyjs)', () => {
    snappyjs.compress(encodeBatch(binaryBatch));
  })
  .add('encode + compress (chosen: hand-written + SnappyCompressor)', () => {
    compressor.compress(encodeBatch(binaryBatch));
  });
await bench.run();
console.table(
  bench.tasks.map((t) => {
    const r = t.result as { latency?: { mean: number; p50?: number; p99?: number } } | undefined;
    return {
      task: t.name,
      // ops/s from the mean latency (tinybench's throughput mean averages 1/latency and overstates it).
      'ops/s': r?.latency ? Math.round(1000 / r.latency.mean) : 'n/a',
      'mean µs': r?.latency ? (r.latency.mean * 1000).toFixed(1) : 'n/a',
      'p50 µs': r?.latency?.p50 !== undefined ? (r.latency.p50 * 1000).toFixed(1) : 'n/a',
      'p99 µs': r?.latency?.p99 !== undefined ? (r.latency.p99 * 1000).toFixed(1) : 'n/a',
    };
  }),
);

// Sustained throughput: total wall time of many back-to-back calls, which includes the GC and external
// memory costs that per-call latencies spread into their tail.
console.log(
  '\nsustained: 2000 back-to-back compressions of the request, 3 rounds (µs per call, from total time)',
);
for (let round = 1; round <= 3; round++) {
  const row: Record<string, string> = { round: String(round) };
  for (const [name, fn] of [
    ['snappy (napi)', (b: Uint8Array) => snappyNapi.compressSync(b)],
    ['snappyjs', (b: Uint8Array) => snappyjs.compress(b)],
    ['SnappyCompressor', (b: Uint8Array) => compressor.compress(b)],
  ] as const) {
    const t = performance.now();
    for (let i = 0; i < 2000; i++) fn(encoded);
    row[name] = (((performance.now() - t) * 1000) / 2000).toFixed(1);
  }
  console.log(JSON.stringify(row));
}
