import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@scrapewire/config';
import type { TargetSets } from '@scrapewire/model';
import { createScrapeManager } from '@scrapewire/scrape';
import { concat, firstValueFrom, NEVER, of, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NdjsonAppendable, type NdjsonRecord } from './ndjson-appender.js';

let server: Server;
let address: string;
let dir: string;
let fail = false;

beforeAll(async () => {
  server = createServer((_req, res) => {
    if (fail) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end('# TYPE jobs_done_total counter\njobs_done_total{queue="a"} 7\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'scrapewire-ndjson-'));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('the scrape engine writing into a user appender', () => {
  it('writes each committed scrape as NDJSON, and nothing but the report series for a failed one', async () => {
    const file = join(dir, 'scrapes.ndjson');
    const config = loadConfig(
      `scrape_configs:\n  - job_name: worker\n    scrape_interval: 100ms\n    scrape_timeout: 90ms\n    static_configs: [{ targets: ['${address}'] }]\n`,
    );
    const targets: TargetSets = new Map([
      ['worker', [{ source: '0', labels: {}, targets: [{ __address__: address }] }]],
    ]);
    const manager = createScrapeManager({ appendable: new NdjsonAppendable(file), reloadIntervalMs: 0 });
    const run$ = manager.run(concat(of(targets), NEVER), concat(of(config.scrapeConfigs), NEVER));

    const reports = await firstValueFrom(run$.pipe(take(3), toArray()));
    expect(reports.map((r) => r.up)).toEqual([true, true, true]);
    fail = true;
    const failed = await firstValueFrom(run$.pipe(take(1)));
    expect(failed.up).toBe(false);

    const records = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as NdjsonRecord);
    const samples = records.filter((r) => r.type === 'sample');
    const jobsDone = samples.filter((r) => r.labels.__name__ === 'jobs_done_total');
    // Three successful scrapes, then a failed one that wrote only its report series.
    expect(jobsDone).toHaveLength(3);
    expect(jobsDone[0]).toMatchObject({ labels: { instance: address, job: 'worker', queue: 'a' }, v: 7 });
    const ups = samples
      .filter((r) => r.labels.__name__ === 'up')
      .map((r) => (r.type === 'sample' ? r.v : undefined));
    expect(ups).toContain(0);
  });
});
