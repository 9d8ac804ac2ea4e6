/**
 * End-to-end scrape throughput: N loopback targets serving the node_exporter 1.5 payload (507 samples),
 * scraped by real scrape loops over HTTP (one undici pool for the job), parsed, cached, relabeled and
 * appended to a counting appendable (no storage, so the figures are the engine's own cost).
 * Run: pnpm bench scrape
 *
 * The targets are served by a child process, so this process's CPU time is the scraper's alone.
 * Reports, for N = 100 and 1,000, with the scrape cache and with it bypassed on hits:
 * - samples/s per core: samples appended ÷ CPU seconds (user + system) of this process;
 * - CPU µs per sample;
 * - heap per active series: heap growth (after GC) with all loops running ÷ series held.
 * A tinybench micro-benchmark of one scrape's append step (parse + cache + append) follows.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ScrapeConfig } from '@scrapewire/config';
import { Labels } from '@scrapewire/model';
import type { Appendable, Appender } from '@scrapewire/storage';
import { merge, type Subscription } from 'rxjs';
import { Bench } from 'tinybench';
import { appendScrape } from '../src/append-scrape.js';
import { createHttpScraper } from '../src/http-scraper.js';
import { noopScrapeMetrics } from '../src/metrics.js';
import { defaultParserFactory } from '../src/parser-factory.js';
import { attachTargetLabels } from '../src/sample-labels.js';
import { ScrapeCache } from '../src/scrape-cache.js';
import { scrapeLoop } from '../src/scrape-loop.js';
import { ScrapeTarget } from '../src/target.js';
import { jobConfig } from '../test/helpers.js';

const payloadPath = join(import.meta.dirname, '../test/fixtures/exporters/node_exporter-1.5.txt');
const payload = readFileSync(payloadPath);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

class CountingAppendable implements Appendable {
  samples = 0;
  appender(): Appender {
    return {
      append: () => {
        this.samples++;
        return 1;
      },
      appendStale: () => 1,
      appendExemplar: () => 1,
      appendHistogram: () => 1,
      updateMetadata: () => 1,
      commit: async () => {},
      rollback: async () => {},
    };
  }
}

const SERVER = `
const http = require('node:http');
const body = require('node:fs').readFileSync(process.argv[1]);
const s = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  res.end(body);
});
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
`;

async function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', SERVER, payloadPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve) => rl.once('line', (l) => resolve(Number(l))));
  return { port, stop: () => child.kill() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(port: number, n: number, intervalMs: number, rounds: number, cache: boolean) {
  const cfg: ScrapeConfig = jobConfig({ scrapeIntervalMs: intervalMs, scrapeTimeoutMs: intervalMs });
  const client = createHttpScraper(cfg);
  const store = new CountingAppendable();
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const loops = [];
  let failures = 0;
  for (let i = 0; i < n; i++) {
    const labels = Labels.from({ instance: `t${i}`, job: 'bench' });
    const t = new ScrapeTarget(
      'bench',
      labels,
      labels,
      `http://127.0.0.1:${port}/metrics?t=${i}`,
      intervalMs,
      intervalMs,
    );
    loops.push(
      scrapeLoop({
        target: t,
        config: cfg,
        appendable: store,
        scrape: client.scrape,
        parserFactory: defaultParserFactory,
        metricRelabel: (l) => l,
        offsetSeed: BigInt(Math.floor(Math.random() * 2 ** 40)),
        bypassCache: !cache,
      }),
    );
  }
  const sub: Subscription = merge(...loops).subscribe((r) => {
    if (!r.up) {
      if (failures++ === 0) console.error(`first failure: ${r.error?.message}`);
    }
  });
  // Warm up: every target scraped at least once, JIT settled.
  await sleep(2 * intervalMs);
  gc();
  const heapRunning = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const s0 = store.samples;
  const t0 = performance.now();
  await sleep(rounds * intervalMs);
  const cpu = process.cpuUsage(cpu0);
  const samples = store.samples - s0;
  const wall = (performance.now() - t0) / 1000;
  sub.unsubscribe();
  await client.close();
  const cpuSec = (cpu.user + cpu.system) / 1e6;
  const series = n * 507;
  return {
    targets: n,
    cache,
    intervalMs,
    samples,
    'samples/s (wall)': Math.round(samples / wall),
    'samples/s per core': Math.round(samples / cpuSec),
    'CPU µs/sample': Number(((cpuSec * 1e6) / samples).toFixed(2)),
    'heap B/series': Math.round((heapRunning - heapBefore) / series),
    'CPU busy %': Math.round((cpuSec / wall) * 100),
    failures,
  };
}

const server = await startServer();
try {
  const rows = [];
  for (const [n, interval, rounds] of [
    [100, 1000, 5],
    [1000, 5000, 3],
  ] as const) {
    for (const cache of [true, false]) rows.push(await run(server.port, n, interval, rounds, cache));
  }
  console.table(rows);
} finally {
  server.stop();
}

// Micro: one scrape's append step over the payload, warm cache vs bypassed. Wall time from tinybench,
// plus CPU time per sample from process.cpuUsage (robust when other processes compete for the cores).
const target = Labels.from({ instance: 'x', job: 'bench' });
const counting = new CountingAppendable();
const bench = new Bench({ time: 1000 });
const steps: [string, () => void][] = [];
for (const bypass of [false, true]) {
  const cache = new ScrapeCache();
  const opts = {
    cache,
    mutate: (l: Labels) => attachTargetLabels(l, target, false),
    honorTimestamps: true,
    trackTimestampsStaleness: false,
    sampleLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    validationScheme: 'utf8' as const,
    metrics: noopScrapeMetrics,
    url: 'http://x/metrics',
    bypassCache: bypass,
  };
  const step = () => {
    const p = defaultParserFactory(payload, 'text/plain; version=0.0.4', undefined);
    appendScrape(p, counting.appender(), Date.now(), opts);
    cache.iterDone(true);
  };
  const name = `append node_exporter payload (${bypass ? 'cache bypassed' : 'warm cache'})`;
  steps.push([name, step]);
  bench.add(name, step);
}
await bench.run();
console.table(
  bench.tasks.map((t, i) => {
    const r = t.result as { latency?: { mean?: number } } | undefined;
    const meanMs = r?.latency?.mean ?? Number.NaN;
    const step = steps[i]![1];
    const n = 1000;
    const c0 = process.cpuUsage();
    for (let k = 0; k < n; k++) step();
    const c = process.cpuUsage(c0);
    return {
      task: t.name,
      'wall ms/scrape': meanMs.toFixed(3),
      'CPU µs/sample': ((c.user + c.system) / n / 507).toFixed(3),
    };
  }),
);
