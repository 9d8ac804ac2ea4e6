/**
 * Parse throughput of the exposition parsers on two real payloads, side by side with the npm package
 * `parse-prometheus-text-format` (the usual JavaScript choice).
 * Run: pnpm bench parse
 *
 * - pull: `next()` + `value()` + `timestampMs()` + `seriesKey()` per series — what the scrape loop does on
 *   a cache hit (no label objects);
 * - pull+labels: the same plus `labels()` for every series — a scrape with a cold cache;
 * - parseExposition: the convenience parser building plain family objects;
 * - parse-prometheus-text-format: given the body already decoded to a string (its input type), so its
 *   figure leaves out the UTF-8 decode ours includes.
 *
 * Each benchmark iteration parses the payload BATCH times, so that garbage collection triggered by a
 * variant's allocations is paid inside its own measurements rather than between them.
 *
 * A second table measures the same variants by process CPU time (best of 5 rounds), which stays
 * meaningful on a loaded machine where wall-clock figures swing with scheduling.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { createTextParser, EntryKind, parseExposition } from '../src/textparse/index.js';

const require = createRequire(import.meta.url);
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => unknown[];

const fixtures = join(import.meta.dirname, '../test/fixtures/exporters');
const payloads = ['node_exporter-1.5.txt', 'prometheus-2.42.txt'].map((name) => {
  const body = readFileSync(join(fixtures, name));
  return { name, body, text: body.toString('utf8') };
});

let sink = 0;
const BATCH = 20;

function pull(body: Uint8Array, withLabels: boolean): number {
  const p = createTextParser(body);
  let n = 0;
  for (let k = p.next(); k !== EntryKind.End; k = p.next()) {
    if (k !== EntryKind.Series) continue;
    n++;
    sink += p.value() + (p.timestampMs() ?? 0) + p.seriesKey().length;
    if (withLabels) sink += p.labels().size;
  }
  return n;
}

type Row = { payload: string; variant: string; mbPerS: number; seriesPerS: number };
const rows: Row[] = [];
const cpuRows: Row[] = [];

/** Best-of-5 throughput by process CPU time (user + system, all threads, so GC threads count too). */
function cpuTimeRate(fn: () => void): number {
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 300) {
      fn();
      n++;
    }
    const used = process.cpuUsage(start);
    best = Math.max(best, n / ((used.user + used.system) / 1e6));
  }
  return best;
}

for (const { name, body, text } of payloads) {
  const series = pull(body, false);
  const variants: [string, () => void][] = [
    ['pull', () => pull(body, false)],
    ['pull+labels', () => pull(body, true)],
    ['parseExposition', () => (sink += parseExposition(body).length)],
    ['parse-prometheus-text-format', () => (sink += parsePrometheusTextFormat(text).length)],
  ];
  const bench = new Bench({ time: 2000, warmupTime: 500 });
  for (const [v, fn] of variants) {
    bench.add(v, () => {
      for (let i = 0; i < BATCH; i++) fn();
    });
  }
  await bench.run();
  for (const [v, fn] of variants) {
    const perSec = cpuTimeRate(fn);
    cpuRows.push({
      payload: `${name} (${(body.length / 1024).toFixed(1)} KiB, ${series} series)`,
      variant: v,
      mbPerS: (perSec * body.length) / 1e6,
      seriesPerS: perSec * series,
    });
  }
  for (const task of bench.tasks) {
    const r = task.result;
    if (!('latency' in r)) throw new Error(`${task.name}: ${r.state}`);
    const perSec = (1000 * BATCH) / r.latency.mean;
    rows.push({
      payload: `${name} (${(body.length / 1024).toFixed(1)} KiB, ${series} series)`,
      variant: task.name,
      mbPerS: (perSec * body.length) / 1e6,
      seriesPerS: perSec * series,
    });
  }
}

function table(title: string, data: Row[]): void {
  const baseline = new Map(
    data.filter((r) => r.variant === 'parse-prometheus-text-format').map((r) => [r.payload, r.mbPerS]),
  );
  console.log(`\n${title}\n`);
  console.log('| payload | parser | MB/s | series/s | vs parse-prometheus-text-format |');
  console.log('|---|---|---:|---:|---:|');
  for (const r of data) {
    const ratio = r.mbPerS / baseline.get(r.payload)!;
    console.log(
      `| ${r.payload} | ${r.variant} | ${r.mbPerS.toFixed(1)} | ${Math.round(r.seriesPerS).toLocaleString('en-US')} | ${ratio.toFixed(1)}x |`,
    );
  }
}

console.log(`node ${process.version}, ${process.arch}`);
table('Wall clock (tinybench, mean)', rows);
table('CPU time (best of 5 rounds of 300 ms)', cpuRows);
if (sink === 42) console.log('');
