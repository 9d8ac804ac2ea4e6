import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { TargetSets } from '@scrapewire/model';
import { findBinary, missingBinaryMessage, freePort } from '@scrapewire/test-utils';
import { firstValueFrom, of } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScrapeManager } from '../src/index.js';
import { jobConfig, RecordingAppendable } from './helpers.js';

const bin = findBinary('prometheus-node-exporter');

/** Resolves once something accepts connections on the port (bounded: 100 tries, 50 ms apart). */
async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port}`);
}

describe.skipIf(!bin)(
  `against a real node_exporter (${bin ? 'found' : missingBinaryMessage('prometheus-node-exporter')})`,
  () => {
    let child: ChildProcess | undefined;
    let address = '';

    beforeAll(async () => {
      const port = await freePort();
      address = `127.0.0.1:${port}`;
      child = spawn(
        bin!,
        [
          `--web.listen-address=${address}`,
          '--collector.disable-defaults',
          '--collector.loadavg',
          '--collector.meminfo',
          '--collector.time',
        ],
        { stdio: 'ignore' },
      );
      await waitForPort(port);
    });

    afterAll(() => {
      child?.kill();
    });

    it('scrapes it: up=1, its series stored with target labels, report series consistent', async () => {
      const store = new RecordingAppendable();
      const manager = createScrapeManager({ appendable: store });
      const sets: TargetSets = new Map([
        ['node', [{ source: 's', targets: [{ __address__: address }], labels: {} }]],
      ]);
      const report = await firstValueFrom(
        manager.run(
          of(sets),
          of([jobConfig({ jobName: 'node', scrapeIntervalMs: 1000, scrapeTimeoutMs: 1000 })]),
        ),
      );
      expect(report.error).toBeUndefined();
      expect(report.up).toBe(true);
      expect(report.samplesScraped).toBeGreaterThan(20);
      expect(report.seriesAdded).toBe(report.samplesPostMetricRelabeling);
      expect(store.byName('node_load1')).toHaveLength(1);
      expect(store.byName('node_load1')[0]!.series).toBe(
        `{__name__="node_load1", instance="${address}", job="node"}`,
      );
      expect(store.values(`{__name__="up", instance="${address}", job="node"}`)).toEqual([1]);
      expect(store.values(`{__name__="scrape_samples_scraped", instance="${address}", job="node"}`)).toEqual([
        report.samplesScraped,
      ]);
    });
  },
);
