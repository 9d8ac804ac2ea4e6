import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Labels } from '@scrapewire/model';
import { MemoryStorage } from '@scrapewire/storage';
import { filter, firstValueFrom, type Observable, ReplaySubject, skip, take, timeout } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpScraper } from '../src/http-scraper.js';
import { defaultParserFactory } from '../src/parser-factory.js';
import { REPORT_METADATA } from '../src/report-series.js';
import { scrapeLoop } from '../src/scrape-loop.js';
import type { ScrapeReport } from '../src/scrape-report.js';
import { ScrapeTarget } from '../src/target.js';
import { jobConfig } from './helpers.js';

/* A real loopback target scraped over HTTP into MemoryStorage: metadata ends up in storage per series. */

const INTERVAL = 100;

describe('metadata end to end (loopback HTTP → MemoryStorage)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  it('stores type, help and unit of scraped series and the report series', async () => {
    let body = [
      '# TYPE http_request_duration_seconds histogram',
      '# UNIT http_request_duration_seconds seconds',
      '# HELP http_request_duration_seconds Request latency.',
      'http_request_duration_seconds_bucket{le="0.5"} 3',
      'http_request_duration_seconds_bucket{le="+Inf"} 4',
      'http_request_duration_seconds_sum 1.5',
      'http_request_duration_seconds_count 4',
      '# EOF',
      '',
    ].join('\n');
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
      res.end(body);
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const address = `127.0.0.1:${port}`;

    const cfg = jobConfig({ scrapeIntervalMs: INTERVAL, scrapeTimeoutMs: INTERVAL });
    const client = createHttpScraper(cfg);
    const storage = new MemoryStorage();
    const labels = Labels.from({ instance: address, job: 'job' });
    const target = new ScrapeTarget('job', labels, labels, `http://${address}/metrics`, INTERVAL, INTERVAL);
    const reports = new ReplaySubject<ScrapeReport>();
    const sub = (
      scrapeLoop({
        target,
        config: cfg,
        appendable: storage,
        scrape: client.scrape,
        parserFactory: defaultParserFactory,
        metricRelabel: (l) => l,
      }) as Observable<ScrapeReport>
    ).subscribe(reports);
    let ups = 0;
    reports.subscribe((r) => {
      if (r.up) ups++;
    });
    // Resolves after `n` more successful scrapes than seen so far (the subject replays the past ones).
    const upScrapes = (n: number) =>
      firstValueFrom(
        reports.pipe(
          filter((r) => r.up),
          skip(ups + n - 1),
          take(1),
          timeout(5_000),
        ),
      );
    try {
      await upScrapes(1);
      const series = (name: string, extra: Record<string, string> = {}) =>
        Labels.from({ __name__: name, instance: address, job: 'job', ...extra });
      const want = { type: 'histogram', help: 'Request latency.', unit: 'seconds' };
      expect(storage.metadata(series('http_request_duration_seconds_bucket', { le: '0.5' }))).toEqual(want);
      expect(storage.metadata(series('http_request_duration_seconds_bucket', { le: '+Inf' }))).toEqual(want);
      expect(storage.metadata(series('http_request_duration_seconds_sum'))).toEqual(want);
      expect(storage.metadata(series('http_request_duration_seconds_count'))).toEqual(want);
      expect(storage.metadata(series('up'))).toEqual(REPORT_METADATA.up);
      expect(storage.metadata(series('scrape_duration_seconds'))).toEqual(
        REPORT_METADATA.scrape_duration_seconds,
      );

      // A changed HELP reaches storage on a later scrape.
      body = body.replace('Request latency.', 'HTTP request latency.');
      await upScrapes(2);
      expect(storage.metadata(series('http_request_duration_seconds_sum'))).toEqual({
        ...want,
        help: 'HTTP request latency.',
      });
    } finally {
      sub.unsubscribe();
      await client.close();
    }
  });
});
