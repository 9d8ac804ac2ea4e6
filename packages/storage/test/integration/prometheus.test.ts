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

    it('delivers every sample once across a receiver restart', async () => {
      server ??= await startPrometheus(bin!);
      const metrics = new InMemoryRemoteWriteMetrics();
      const rw = createRemoteWrite({
        config: remoteWriteConfig(`${server.base}/api/v1/write`, {
          remoteTimeoutMs: 2000,
          queueConfig: {
            batchSendDeadlineMs: 50,
            minBackoffMs: 50,
            maxBackoffMs: 300,
            maxSamplesPerSend: 10,
          },
        }),
        metrics,
      });
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 100_000;
      const l = Labels.from({ __name__: 'sw_restart_counter', job: 'rw' });
      const write = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const app = rw.appender();
          app.append(0, l, t0 + i * 1000, i);
          await app.commit();
        }
      };
      await write(0, 30);
      await vi.waitFor(() => expect(metrics.counts.sent.samples).toBe(30), { timeout: 10_000 });
      await stop(server);
      await write(30, 60);
      // Several retry rounds (backoff 50, 100, 200, 300 ms…) against the stopped receiver before it returns.
      await vi.waitFor(() => expect(metrics.counts.retried.samples).toBeGreaterThanOrEqual(50), {
        timeout: 10_000,
        interval: 20,
      });
      server = await startPrometheus(bin!, server);
      await vi.waitFor(() => expect(metrics.counts.sent.samples).toBe(60), { timeout: 20_000 });
      await rw.close({ deadlineMs: 5000 });
      const q = (await api(
        server.base,
        `/api/v1/query?query=count_over_time(sw_restart_counter[2m])&time=${(t0 + 60_000) / 1000}`,
      )) as { result: { value: [number, string] }[] };
      expect(q.result[0]!.value[1]).toBe('60');
      const sum = (await api(
        server.base,
        `/api/v1/query?query=sum_over_time(sw_restart_counter[2m])&time=${(t0 + 60_000) / 1000}`,
      )) as {
        result: { value: [number, string] }[];
      };
      expect(sum.result[0]!.value[1]).toBe(String((59 * 60) / 2));
      expect(metrics.counts.dropped).toEqual({});
    });
  },
);
