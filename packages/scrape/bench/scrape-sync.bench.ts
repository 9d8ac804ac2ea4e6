/**
 * Cost of a scrape pool sync with 10,000 targets in 1,000 groups, when one group changed versus when every
 * group arrives as a new object (as after a discovery restart). Loops run on a scheduler that never fires,
 * so only reconciliation (target building, loop start/stop) is measured, not scraping.
 * Run: pnpm bench scrape-sync
 */
import type { TargetGroup } from '@scrapewire/model';
import { type SchedulerLike, Subscription } from 'rxjs';
import { Bench } from 'tinybench';
import { noopScrapeMetrics } from '../src/metrics.js';
import { defaultParserFactory } from '../src/parser-factory.js';
import { ScrapePool } from '../src/scrape-pool.js';
import { jobConfig } from '../test/helpers.js';

const GROUPS = 1000;
const PER_GROUP = 10;

const makeGroup = (g: number, variant = 0): TargetGroup => ({
  source: `g${g}`,
  targets: Array.from({ length: PER_GROUP }, (_, i) => ({ __address__: `h${g}-${i}-${variant}:9100` })),
  labels: { zone: `z${g % 7}` },
});

// A scheduler whose timers never fire (RxJS's VirtualTimeScheduler sorts its queue on every schedule,
// which would dominate the measurement).
const never: SchedulerLike = { now: () => 0, schedule: () => new Subscription() };

const pool = new ScrapePool(jobConfig(), {
  appendable: { appender: () => ({}) as never },
  parserFactory: defaultParserFactory,
  createScraper: () => ({ scrape: () => new Promise(() => {}), close: async () => {} }),
  scheduler: never,
  metrics: noopScrapeMetrics,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  offsetSeed: 0n,
  emit: () => {},
});

const base = Array.from({ length: GROUPS }, (_, g) => makeGroup(g));
pool.sync(base);
let flip = 0;
const variants = [makeGroup(0, 1), makeGroup(0, 0)];

const bench = new Bench({ time: 1000 });
bench
  .add('sync, 1 of 1,000 groups changed (10 targets replaced)', () => {
    flip ^= 1;
    pool.sync([variants[flip]!, ...base.slice(1)]);
  })
  .add('sync, all 1,000 groups new objects (same 10,000 targets)', () => {
    pool.sync(base.map((g) => ({ ...g })));
  });
await bench.run();
console.table(
  bench.tasks.map((t) => {
    const r = t.result as { latency?: { mean?: number } } | undefined;
    return { task: t.name, 'mean ms': (r?.latency?.mean ?? Number.NaN).toFixed(3) };
  }),
);
pool.stop();
