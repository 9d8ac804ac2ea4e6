import { Labels } from '@scrapewire/model';
import { findBinary, missingBinaryMessage } from '@scrapewire/test-utils';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRemoteWrite } from '../../src/remote/remote-write.js';
import { InMemoryRemoteWriteMetrics } from '../../src/remote/remote-write-metrics.js';
import { remoteWriteConfig } from '../config.js';
import { removeDir, type Server, startVictoria, stop } from './servers.js';

const bin = findBinary('victoria-metrics');

interface Exported {
  metric: Record<string, string>;
  values: (number | null)[];
  timestamps: number[];
}

/** Raw samples as stored (`/api/v1/export`), after forcing a flush so they are searchable. */
async function exportSeries(base: string, match: string): Promise<Exported[]> {
  await fetch(`${base}/internal/force_flush`);
  const res = await fetch(`${base}/api/v1/export?match[]=${encodeURIComponent(match)}&start=0`);
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Exported);
}

describe.skipIf(!bin)(
  `remote write into VictoriaMetrics (${bin ? 'victoria-metrics' : missingBinaryMessage('victoria-metrics')})`,
  () => {
    let server: Server | undefined;
    afterAll(async () => {
      await stop(server);
      removeDir(server);
    });

    it('stores exactly what was sent', async () => {
      server = await startVictoria(bin!);
      const metrics = new InMemoryRemoteWriteMetrics();
      const rw = createRemoteWrite({
        config: remoteWriteConfig(`${server.base}/api/v1/write`, {
          queueConfig: { batchSendDeadlineMs: 50 },
        }),
        externalLabels: { cluster: 'vm' },
        metrics,
      });
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
      const l = Labels.from({ __name__: 'sw_vm_gauge', job: 'rw', instance: 'x' });
      const values = [1, 2.5, -3, 1234567.5];
      const app = rw.appender();
      for (const [i, v] of values.entries()) app.append(0, l, t0 + i * 10_000, v);
      app.appendStale(0, l, t0 + 40_000);
      await app.commit();
      expect(await rw.close({ deadlineMs: 10_000 })).toEqual({ flushed: true, dropped: 0 });
      const got = await vi.waitFor(
        async () => {
          const e = await exportSeries(server!.base, 'sw_vm_gauge');
          expect(e[0]?.timestamps.length).toBe(5);
          return e;
        },
        { timeout: 10_000, interval: 200 },
      );
      expect(got).toEqual([
        {
          metric: { __name__: 'sw_vm_gauge', cluster: 'vm', instance: 'x', job: 'rw' },
          // The staleness marker is stored; the JSON export writes any NaN as null.
          values: [...values, null],
          timestamps: [...values, 0].map((_, i) => t0 + i * 10_000),
        },
      ]);
    });

    it('delivers every sample exactly once across a receiver restart', async () => {
      server ??= await startVictoria(bin!);
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
      const t0 = Math.floor(Date.now() / 1000) * 1000 - 200_000;
      const l = Labels.from({ __name__: 'sw_vm_restart', job: 'rw' });
      const write = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          const app = rw.appender();
          app.append(0, l, t0 + i * 1000, i);
          await app.commit();
        }
      };
      await write(0, 40);
      await vi.waitFor(() => expect(metrics.counts.sent.samples).toBe(40), { timeout: 10_000 });
      await stop(server);
      await write(40, 80);
      await vi.waitFor(() => expect(metrics.counts.retried.samples).toBeGreaterThanOrEqual(50), {
        timeout: 10_000,
        interval: 20,
      });
      server = await startVictoria(bin!, server);
      await vi.waitFor(() => expect(metrics.counts.sent.samples).toBe(80), { timeout: 20_000 });
      await rw.close({ deadlineMs: 5000 });
      const got = await vi.waitFor(
        async () => {
          const e = await exportSeries(server!.base, 'sw_vm_restart');
          expect(e[0]?.timestamps.length).toBeGreaterThanOrEqual(80);
          return e;
        },
        { timeout: 10_000, interval: 200 },
      );
      // VictoriaMetrics keeps duplicates (no -dedup.minScrapeInterval), so a resent sample would show twice.
      expect(got[0]!.timestamps).toEqual(Array.from({ length: 80 }, (_, i) => t0 + i * 1000));
      expect(got[0]!.values).toEqual(Array.from({ length: 80 }, (_, i) => i));
      expect(metrics.counts.dropped).toEqual({});
    });
  },
);
