import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScrapeConfig } from '@scrapewire/config';
import type { TargetSets } from '@scrapewire/model';
import { DEFAULT_RELABEL_CONFIG } from '@scrapewire/relabel';
import { findBinary, missingBinaryMessage, freePort } from '@scrapewire/test-utils';
import { filter, firstValueFrom, of, scan } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScrapeManager, type ScrapeReport } from '../src/index.js';
import { jobConfig, RecordingAppendable } from './helpers.js';

/*
 * Scrapes the same loopback targets with the real Prometheus (Debian's 2.42) and with scrapewire, and
 * compares the series each stored and the lastError each reports. Covers honor_labels conflicts
 * (exported_*), metric relabeling, target labels, report series and the wording of failures.
 */

const bin = findBinary('prometheus');

const BODY = [
  '# TYPE a_total counter',
  'a_total{job="exposed",instance="inst",x="1"} 1',
  'b{exported_job="z",job="y"} 2',
  'drop_me 3',
  'c{l="v"} 4',
  '',
].join('\n');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!bin)(
  `parity with Prometheus (${bin ? 'found' : missingBinaryMessage('prometheus')})`,
  () => {
    let server: Server;
    let target = '';
    let prom: ChildProcess | undefined;
    let promUrl = '';
    let dir = '';

    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/fail') {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('no');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(BODY);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      dir = mkdtempSync(join(tmpdir(), 'sw-parity-'));
      const yml = `
global: { scrape_interval: 1s, scrape_timeout: 1s }
scrape_configs:
  - job_name: parity
    static_configs: [{ targets: ['${target}'], labels: { env: p } }]
    metric_relabel_configs: [{ source_labels: [__name__], regex: drop_me, action: drop }]
  - job_name: honor
    honor_labels: true
    static_configs: [{ targets: ['${target}'] }]
  - job_name: limited
    sample_limit: 2
    static_configs: [{ targets: ['${target}'] }]
  - job_name: failing
    metrics_path: /fail
    static_configs: [{ targets: ['${target}'] }]
  - job_name: bodylimit
    body_size_limit: 10B
    static_configs: [{ targets: ['${target}'] }]
`;
      writeFileSync(join(dir, 'prometheus.yml'), yml);
      const port = await freePort();
      promUrl = `http://127.0.0.1:${port}`;
      prom = spawn(
        bin!,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: 'ignore' },
      );
      // Wait (bounded) until every job has been scraped at least once.
      for (let i = 0; i < 150; i++) {
        try {
          const r = await fetch(`${promUrl}/api/v1/targets`);
          const j = (await r.json()) as { data: { activeTargets: { health: string }[] } };
          if (j.data.activeTargets.length === 5 && j.data.activeTargets.every((t) => t.health !== 'unknown'))
            break;
        } catch {
          // not up yet
        }
        await sleep(100);
      }
    }, 30_000);

    afterAll(async () => {
      prom?.kill();
      server?.closeAllConnections();
      await new Promise((r) => server?.close(r));
      rmSync(dir, { recursive: true, force: true });
    });

    async function promSeries(job: string): Promise<string[]> {
      const q = encodeURIComponent(`{job="${job}"}`);
      const r = await fetch(`${promUrl}/api/v1/series?match[]=${q}`);
      const j = (await r.json()) as { data: Record<string, string>[] };
      return j.data.map((l) => canonical(l)).sort();
    }

    async function promErrors(): Promise<Record<string, string>> {
      const r = await fetch(`${promUrl}/api/v1/targets`);
      const j = (await r.json()) as { data: { activeTargets: { scrapePool: string; lastError: string }[] } };
      return Object.fromEntries(j.data.activeTargets.map((t) => [t.scrapePool, t.lastError]));
    }

    function canonical(l: Record<string, string>): string {
      return JSON.stringify(Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1))));
    }

    async function ours() {
      const store = new RecordingAppendable();
      const drop = {
        ...DEFAULT_RELABEL_CONFIG,
        sourceLabels: ['__name__'],
        regex: 'drop_me',
        action: 'drop' as const,
      };
      const cfg = (o: Partial<ScrapeConfig>) =>
        jobConfig({ scrapeIntervalMs: 1000, scrapeTimeoutMs: 1000, ...o });
      const configs = [
        cfg({ jobName: 'parity', metricRelabelConfigs: [drop] }),
        cfg({ jobName: 'honor', honorLabels: true }),
        cfg({ jobName: 'limited', sampleLimit: 2 }),
        cfg({ jobName: 'failing', metricsPath: '/fail' }),
        cfg({ jobName: 'bodylimit', bodySizeLimitBytes: 10 }),
      ];
      const group = (labels: Record<string, string> = {}) => [
        { source: 's', targets: [{ __address__: target }], labels },
      ];
      const sets: TargetSets = new Map([
        ['parity', group({ env: 'p' })],
        ['honor', group()],
        ['limited', group()],
        ['failing', group()],
        ['bodylimit', group()],
      ]);
      const reports = await firstValueFrom(
        createScrapeManager({ appendable: store })
          .run(of(sets), of(configs))
          .pipe(
            scan((m, r) => m.set(r.target.scrapePool, r), new Map<string, ScrapeReport>()),
            filter((m) => m.size === 5),
          ),
      );
      const seriesOf = (job: string) => [
        ...new Set(store.committed.filter((s) => s.series.includes(`job="${job}"`)).map((s) => s.series)),
      ];
      return { store, reports, seriesOf };
    }

    const toCanonical = (series: string) => {
      const obj: Record<string, string> = {};
      for (const m of series.slice(1, -1).matchAll(/([^=, ]+)="((?:[^"\\]|\\.)*)"/g))
        obj[m[1]!] = JSON.parse(`"${m[2]}"`);
      return canonical(obj);
    };

    it('stores the same series as Prometheus, with exported_* conflicts, target labels and metric relabeling', async () => {
      const o = await ours();
      expect(o.seriesOf('parity').map(toCanonical).sort()).toEqual(await promSeries('parity'));
    });

    it('honors exposed labels as Prometheus does', async () => {
      // The honor job's series are all series except those of the other jobs (whose job label is theirs).
      const others = ['parity', 'limited', 'failing', 'bodylimit'];
      const notOthers = (c: string) => !others.some((j) => c.includes(`"job":"${j}"`));
      const r = await fetch(`${promUrl}/api/v1/series?match[]=${encodeURIComponent('{__name__=~".+"}')}`);
      const j = (await r.json()) as { data: Record<string, string>[] };
      const promHonor = j.data.map(canonical).filter(notOthers).sort();
      const o = await ours();
      const mine = [...new Set(o.store.committed.map((x) => toCanonical(x.series)))].filter(notOthers).sort();
      expect(mine).toEqual(promHonor);
      expect(mine.some((c) => c.includes('"exported_job":"z","instance"') && c.includes('"job":"y"'))).toBe(
        true,
      );
    });

    it('reports the same lastError text for failed scrapes', async () => {
      const o = await ours();
      const promErr = await promErrors();
      for (const job of ['limited', 'failing', 'bodylimit']) {
        expect(o.reports.get(job)?.up).toBe(false);
        expect(o.reports.get(job)?.error?.message).toBe(promErr[job]);
      }
      expect(o.reports.get('parity')?.up).toBe(true);
    });
  },
);
