/**
 * Oracle test: the labels our static, file and http discoverers produce must equal the `discoveredLabels`
 * that a real Prometheus (Debian's 2.42) reports for the same SD configs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpClientConfig, ServiceDiscoveryConfigs } from '@scrapewire/config';
import type { LabelSet, TargetSets } from '@scrapewire/model';
import { findBinary, missingBinaryMessage, freePort } from '@scrapewire/test-utils';
import { firstValueFrom, filter, of, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscoveryJob, discoverTargets } from '../src/index.js';

const prometheus = findBinary('prometheus');
const fixtures = fileURLToPath(new URL('./fixtures/file-sd/', import.meta.url));

const HTTP_SD_GROUPS = [
  { targets: ['127.0.0.1:19201', '127.0.0.1:19202'], labels: { team: 'api', __meta_region: 'eu' } },
  { targets: ['127.0.0.1:19203'] },
];

const baseClient: HttpClientConfig = {
  tlsConfig: { insecureSkipVerify: false },
  proxyFromEnvironment: false,
  proxyConnectHeader: {},
  httpHeaders: {},
  followRedirects: true,
  enableHttp2: true,
};
const noSd: ServiceDiscoveryConfigs = {
  staticConfigs: [],
  fileSdConfigs: [],
  httpSdConfigs: [],
  kubernetesSdConfigs: [],
};

const canonical = (sets: LabelSet[]) =>
  sets
    .map((l) => JSON.stringify(Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)))))
    .sort();

describe.skipIf(!prometheus)(`discovery vs Prometheus ${missingBinaryMessage('prometheus')}`, () => {
  let dir: string;
  let sdServer: Server;
  let sdUrl: string;
  let proc: ChildProcess | undefined;
  let promUrl: string;
  let jobs: DiscoveryJob[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-sd-oracle-'));
    sdServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(HTTP_SD_GROUPS));
    });
    await new Promise<void>((r) => sdServer.listen(0, '127.0.0.1', r));
    sdUrl = `http://127.0.0.1:${(sdServer.address() as AddressInfo).port}/targets`;
    const filePatterns = [join(fixtures, '*.json'), join(fixtures, '*.yml')];
    jobs = [
      {
        jobName: 'static',
        serviceDiscovery: {
          ...noSd,
          staticConfigs: [
            { targets: ['127.0.0.1:19301', '127.0.0.1:19302'], labels: { env: 'dev' } },
            { targets: ['127.0.0.1:19303'], labels: { __meta_x: 'y', __scrape_interval__: '1m' } },
          ],
        },
      },
      {
        jobName: 'file',
        serviceDiscovery: { ...noSd, fileSdConfigs: [{ files: filePatterns, refreshIntervalMs: 300_000 }] },
      },
      {
        jobName: 'http',
        serviceDiscovery: {
          ...noSd,
          httpSdConfigs: [{ url: sdUrl, refreshIntervalMs: 60_000, httpClient: baseClient }],
        },
      },
    ];
    const config = `
global:
  scrape_interval: 1h
  scrape_timeout: 10s
scrape_configs:
  - job_name: static
    static_configs:
      - targets: ['127.0.0.1:19301', '127.0.0.1:19302']
        labels: { env: dev }
      - targets: ['127.0.0.1:19303']
        labels: { __meta_x: y, __scrape_interval__: 1m }
  - job_name: file
    file_sd_configs:
      - files: ${JSON.stringify(filePatterns)}
  - job_name: http
    http_sd_configs:
      - url: ${sdUrl}
`;
    await writeFile(join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    proc = spawn(
      prometheus!,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
  });

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc!.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    sdServer?.closeAllConnections();
    await new Promise((r) => sdServer?.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Prometheus's discovered labels per job, once every job has the expected number of targets. */
  async function prometheusDiscovered(expected: Record<string, number>): Promise<Record<string, LabelSet[]>> {
    const deadline = Date.now() + 40_000;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${promUrl}/api/v1/targets?state=any`);
        const body = (await res.json()) as {
          data: {
            activeTargets: { discoveredLabels: LabelSet }[];
            droppedTargets: { discoveredLabels: LabelSet }[];
          };
        };
        const out: Record<string, LabelSet[]> = {};
        for (const t of [...body.data.activeTargets, ...body.data.droppedTargets]) {
          const job = t.discoveredLabels.job!;
          out[job] = [...(out[job] ?? []), t.discoveredLabels];
        }
        if (Object.entries(expected).every(([job, n]) => out[job]?.length === n)) return out;
        last = JSON.stringify(out);
      } catch (err) {
        last = String(err);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`Prometheus did not discover the expected targets in time; last answer: ${last}`);
  }

  it('should produce the discoveredLabels of Prometheus for static, file (JSON + YAML) and http SD', async () => {
    const ready = (s: TargetSets) =>
      ['static', 'file', 'http'].every((j) => (s.get(j) ?? []).length > 0) &&
      (s.get('file') ?? []).length === 4;
    const ours = await firstValueFrom(
      discoverTargets(of(jobs), { updateIntervalMs: 0 }).pipe(filter(ready), timeout(10_000)),
    );
    const expected: Record<string, number> = {};
    const mine: Record<string, LabelSet[]> = {};
    for (const [job, groups] of ours) {
      mine[job] = groups.flatMap((g) =>
        g.targets.map((t) => {
          const merged: Record<string, string> = { ...g.labels, ...t };
          // What Prometheus adds from the scrape config when the target does not set it itself.
          const defaults = {
            job,
            __scheme__: 'http',
            __metrics_path__: '/metrics',
            __scrape_interval__: '1h',
            __scrape_timeout__: '10s',
          };
          for (const [k, v] of Object.entries(defaults)) if (merged[k] === undefined) merged[k] = v;
          return merged;
        }),
      );
      expected[job] = mine[job]!.length;
    }
    expect(expected).toEqual({ static: 3, file: 6, http: 3 });
    const theirs = await prometheusDiscovered(expected);
    for (const job of Object.keys(expected)) {
      expect(canonical(mine[job]!), job).toEqual(canonical(theirs[job]!));
    }
  });
});
