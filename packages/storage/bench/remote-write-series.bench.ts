/**
 * Memory per series of the remote write series cache, as the agent fills it: 100k new series appended
 * once each (labels built and hashed beforehand, so only the cache's own share is counted). Heap and
 * external memory (ArrayBuffer backing stores live outside the V8 heap) are measured after a GC.
 * Run: pnpm bench remote-write-series (needs --expose-gc, which the bench runner passes)
 */
import { createRemoteWrite } from '../src/remote/remote-write.js';
import { seriesLabels } from './series-labels.js';
import { remoteWriteConfig } from '../test/config.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const n = 100_000;
const many = seriesLabels(n);

/** GC after letting timers and promise chains of the previous round unwind (backing stores are freed late). */
async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 100));
  gc!();
  await new Promise((r) => setTimeout(r, 100));
  gc!();
}

// Every round's storage is kept alive to the end, so a round never sees an earlier one being collected.
const kept: unknown[] = [];
for (let round = 1; round <= 3; round++) {
  await settle();
  const m0 = process.memoryUsage();
  const rw = createRemoteWrite({
    config: remoteWriteConfig('http://127.0.0.1:1/unused'),
    client: { send: async () => ({ kind: 'ok' }), async close() {} },
  });
  // Through the appender, as scrapes do; rolled back so only the series cache is left holding memory.
  const app = rw.appender();
  for (let i = 0; i < n; i++) app.append(0, many[i]!, 1_700_000_000_000, i);
  await app.rollback();
  await settle();
  const m1 = process.memoryUsage();
  const heap = (m1.heapUsed - m0.heapUsed) / n;
  // `external` includes `arrayBuffers`.
  const ext = (m1.external - m0.external) / n;
  console.log(
    `round ${round}: remote write series cache: ${heap.toFixed(1)} heap + ${ext.toFixed(1)} external bytes per series (${n} series)`,
  );
  kept.push(rw);
}
console.log(`(${kept.length} storages held)`);
