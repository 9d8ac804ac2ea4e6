/**
 * Remote write under an agent-like load, where queued items live long enough for the GC to see them:
 * 100 targets × 1000 series (100k series), one target's scrape every 10 ms (100k samples/s), a
 * receiver that answers after 30 ms, 4 shards. Prints the process CPU time per sample (all threads, so
 * GC work counts) and the RSS at the end. Single runs are noisy; repeat it.
 * Run: pnpm bench remote-write-paced
 */
import { Labels } from '@scrapewire/model';
import { createRemoteWrite } from '../src/remote/remote-write.js';
import { remoteWriteConfig } from '../test/config.js';

const SERIES = 1000;
const TARGETS = 100;
const SECONDS = 6;
const WARMUP_SCRAPES = 300;

const labels = Array.from({ length: TARGETS }, (_, t) =>
  Array.from({ length: SERIES }, (_, i) =>
    Labels.from({
      __name__: `node_metric_${i % 300}`,
      job: 'node',
      instance: `host-${t}.example.org:9100`,
      idx: String(i),
    }),
  ),
);
const remote = createRemoteWrite({
  config: remoteWriteConfig('http://127.0.0.1:1/unused', {
    queueConfig: { maxSamplesPerSend: 2000, capacity: 10_000, minShards: 1, maxShards: 50 },
  }),
  shards: 4,
  client: {
    send: () => new Promise((resolve) => setTimeout(() => resolve({ kind: 'ok' }), 30)),
    async close() {},
  },
});
const refs = labels.map(() => new Array<number>(SERIES).fill(0));
let t = 1_700_000_000_000;
let scrapes = 0;
let samples = 0;
let cpu0 = process.cpuUsage();
await new Promise<void>((done) => {
  const tick = () => {
    // The first scrapes create the series; measure only once every target has been seen a few times.
    if (scrapes === WARMUP_SCRAPES) {
      cpu0 = process.cpuUsage();
      samples = 0;
    }
    t += 10;
    const app = remote.appender();
    const ls = labels[scrapes % TARGETS]!;
    const rs = refs[scrapes % TARGETS]!;
    for (let i = 0; i < SERIES; i++) rs[i] = app.append(rs[i]!, ls[i]!, t, i * 1.5);
    void app.commit();
    samples += SERIES;
    scrapes++;
    if (scrapes < WARMUP_SCRAPES + SECONDS * 100) setTimeout(tick, 10);
    else done();
  };
  tick();
});
const cpu = process.cpuUsage(cpu0);
console.log(
  `remote write, paced: ${(((cpu.user + cpu.system) * 1000) / samples).toFixed(0)} ns CPU per sample, ` +
    `RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, ${remote.pending()} items pending at the end`,
);
await remote.close({ deadlineMs: 2000 });
