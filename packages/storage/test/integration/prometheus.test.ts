import { Labels } from '@scrapewire/model';
import { findBinary, missingBinaryMessage } from '@scrapewire/test-utils';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRemoteWrite } from '../../src/remote/remote-write.js';
import { InMemoryRemoteWriteMetrics } from '../../src/remote/remote-write-metrics.js';
import { remoteWriteConfig } from '../config.js';
import { removeDir, type Server, startPrometheus, stop } from './servers.js';

const bin = findBinary('prometheus');

async function api(base: string, path: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`);
  const body = (await res.json()) as { status: string; data: unknown };
  expect(body.status).toBe('success');
  return body.data;
}

describe.skipIf(!bin)(
  `remote write into Prometheus (${bin ? 'prometheus' : missingBinaryMessage('prometheus')})`,
  () => {
    let server: Server | undefined;
    afterAll(async () => {
      await stop(server);
      removeDir(server);
    });

    it('stores exactly what was sent, and a stale marker ends the series', async () => {
      server = await startPrometheus(bin!);
      const metrics = new InMemoryRemoteWriteMetrics();
      const rw = createRemoteWrite({
        config: remoteWriteConfig(`${server.base}/api/v1/write`, {
          queueConfig: { batchSendDeadlineMs: 50, minBackoffMs: 20, maxBackoffMs: 200 },
        }),
        externalLabels: { cluster: 'it' },
        metrics,
      });
      // Whole seconds, a little in the past: inside the head block, so Prometheus accepts them.
      const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
      const a = Labels.from({ __name__: 'sw_test_gauge', job: 'rw', instance: 'i1' });
      const b = Labels.from({ __name__: 'sw_test_gauge', job: 'rw', instance: 'i2' });
      const values = [1, 2.5, -3, 1e-9];
      for (let i = 0; i < values.length; i++) {
        const app = rw.appender();
        app.append(0, a, t0 + i * 15_000, values[i]!);
        app.append(0, b, t0 + i * 15_000, i);
        await app.commit();
      }
      const app = rw.appender();
      app.appendStale(0, a, t0 + 60_000);
      app.append(0, b, t0 + 60_000, 4);
      await app.commit();
      expect(await rw.close({ deadlineMs: 10_000 })).toEqual({ flushed: true, dropped: 0 });
      expect(metrics.counts.sent.samples).toBe(10);

      const series = (await api(server.base, '/api/v1/series?match[]=sw_test_gauge')) as Record<
        string,
        string
      >[];
      expect(series.sort((x, y) => x.instance!.localeCompare(y.instance!))).toEqual([
        { __name__: 'sw_test_gauge', cluster: 'it', instance: 'i1', job: 'rw' },
        { __name__: 'sw_test_gauge', cluster: 'it', instance: 'i2', job: 'rw' },
      ]);
      const q = (await api(
        server.base,
        `/api/v1/query_range?query=sw_test_gauge&start=${t0 / 1000}&end=${(t0 + 90_000) / 1000}&step=15`,
      )) as { result: { metric: Record<string, string>; values: [number, string][] }[] };
      const byInstance = Object.fromEntries(q.result.map((r) => [r.metric.instance, r.values]));
      const ts = (i: number) => (t0 + i * 15_000) / 1000;
      // i1 ends at the stale marker; without it the 5m lookback would repeat 1e-09 at t0+60s..90s.
      expect(byInstance.i1).toEqual([
        [ts(0), '1'],
        [ts(1), '2.5'],
        [ts(2), '-3'],
        [ts(3), '1e-09'],
      ]);
      // i2 has no stale marker, so its last value carries over within the lookback window.
      expect(byInstance.i2).toEqual([
        [ts(0), '0'],
        [ts(1), '1'],
        [ts(2), '2'],
        [ts(3), '3'],
        [ts(4), '4'],
        [ts(5), '4'],
        [ts(6), '4'],
      ]);
    });

    it('delivers every sample exactly once across a 30 s receiver outage', async () => {
      server ??= await startPrometheus(bin!);
      const metrics = new InMemoryRemoteWriteMetrics();
      // Prometheus's default backoff (30 ms doubling to 5 s), so the outage spans many retry rounds.
      const rw = createRemoteWrite({
        config: remoteWriteConfig(`${server.base}/api/v1/write`, {
          remoteTimeoutMs: 2000,
          queueConfig: {
            batchSendDeadlineMs: 50,
            minBackoffMs: 30,
            maxBackoffMs: 5000,
            maxSamplesPerSend: 10,
          },
        }),
        metrics,
      });
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 200_000;
      const l = Labels.from({ __name__: 'sw_restart_counter', job: 'rw' });
      let written = 0;
      const writeOne = async () => {
        const app = rw.appender();
        app.append(0, l, t0 + written * 1000, written);
        written++;
        await app.commit();
      };
      // A steady writer, as a scrape loop would be: one sample every 200 ms for the whole test.
      let writing = Promise.resolve();
      const writer = setInterval(() => {
        writing = writing.then(writeOne);
      }, 200);
      try {
        await vi.waitFor(() => expect(metrics.counts.sent.samples).toBeGreaterThanOrEqual(20), {
          timeout: 20_000,
        });
        await stop(server);
        const before = written;
        await new Promise((r) => setTimeout(r, 30_000));
        expect(written - before).toBeGreaterThanOrEqual(100);
        expect(metrics.counts.retried.samples).toBeGreaterThan(0);
        server = await startPrometheus(bin!, server);
        await vi.waitFor(() => expect(metrics.counts.sent.samples).toBeGreaterThanOrEqual(written - 5), {
          timeout: 30_000,
        });
      } finally {
        clearInterval(writer);
        await writing;
      }
      await rw.close({ deadlineMs: 10_000 });
      expect(metrics.counts.sent.samples).toBe(written);
      const end = (t0 + written * 1000) / 1000;
      const q = (await api(
        server.base,
        `/api/v1/query?query=count_over_time(sw_restart_counter[10m])&time=${end}`,
      )) as {
        result: { value: [number, string] }[];
      };
      expect(q.result[0]!.value[1]).toBe(String(written));
      const sum = (await api(
        server.base,
        `/api/v1/query?query=sum_over_time(sw_restart_counter[10m])&time=${end}`,
      )) as {
        result: { value: [number, string] }[];
      };
      expect(sum.result[0]!.value[1]).toBe(String(((written - 1) * written) / 2));
      expect(metrics.counts.dropped).toEqual({});
    }, 120_000);

    it('stores native histograms and exemplars (with the feature flags on)', async () => {
      const hs = await startPrometheus(bin!, undefined, [
        '--enable-feature=native-histograms,exemplar-storage',
      ]);
      try {
        const rw = createRemoteWrite({
          config: remoteWriteConfig(`${hs.base}/api/v1/write`, {
            sendExemplars: true,
            sendNativeHistograms: true,
            queueConfig: { batchSendDeadlineMs: 50 },
          }),
        });
        const t = Math.floor(Date.now() / 1000) * 1000 - 30_000;
        const app = rw.appender();
        const c = Labels.from({ __name__: 'sw_requests_total', job: 'rw' });
        app.append(0, c, t, 7);
        app.appendExemplar(0, c, { labels: Labels.from({ trace_id: 'abc123' }), value: 7, timestampMs: t });
        app.appendHistogram(0, Labels.from({ __name__: 'sw_latency_seconds', job: 'rw' }), t, {
          kind: 'int',
          counterResetHint: 'unknown',
          schema: 0,
          zeroThreshold: 0.001,
          zeroCount: 1,
          count: 6,
          sum: 11.5,
          // Buckets (1,2] and (2,4] with counts 2 and 3, written as deltas.
          positiveSpans: [{ offset: 1, length: 2 }],
          positiveDeltas: [2, 1],
          negativeSpans: [],
          negativeDeltas: [],
        });
        await app.commit();
        expect(await rw.close({ deadlineMs: 10_000 })).toEqual({ flushed: true, dropped: 0 });

        const q = (await api(hs.base, `/api/v1/query?query=sw_latency_seconds&time=${t / 1000}`)) as {
          result: {
            histogram: [number, { count: string; sum: string; buckets: [number, string, string, string][] }];
          }[];
        };
        const h = q.result[0]!.histogram[1];
        expect(h.count).toBe('6');
        expect(h.sum).toBe('11.5');
        expect(h.buckets.map((b) => [b[1], b[2], b[3]])).toEqual([
          ['-0.001', '0.001', '1'],
          ['1', '2', '2'],
          ['2', '4', '3'],
        ]);
        const ex = (await api(
          hs.base,
          `/api/v1/query_exemplars?query=sw_requests_total&start=${t / 1000 - 60}&end=${t / 1000 + 60}`,
        )) as { exemplars: { labels: Record<string, string>; value: string; timestamp: number }[] }[];
        expect(ex[0]!.exemplars).toEqual([
          { labels: { trace_id: 'abc123' }, value: '7', timestamp: t / 1000 },
        ]);
      } finally {
        await stop(hs);
        removeDir(hs);
      }
    });
  },
);
