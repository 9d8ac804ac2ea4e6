import type { ScrapeConfig } from '@scrapewire/config';
import { Labels } from '@scrapewire/model';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jobConfig, RecordingAppendable } from '../test/helpers.js';
import type { ScrapeFn } from './http-scraper.js';
import { defaultParserFactory } from './parser-factory.js';
import { REPORT_METADATA } from './report-series.js';
import { scrapeLoop } from './scrape-loop.js';
import { ScrapeTarget } from './target.js';

/* Metadata through the scrape loop's transactions: report series, rollbacks and failed commits. */

const enc = new TextEncoder();
const INTERVAL = 10_000;
const BODY = '# HELP a Things.\n# TYPE a gauge\na 1\n';
const A = '{__name__="a", instance="h:9100", job="job"}';

function makeTarget(): ScrapeTarget {
  const labels = Labels.from({ instance: 'h:9100', job: 'job' });
  return new ScrapeTarget('job', labels, labels, 'http://h:9100/metrics', INTERVAL, 5_000);
}

function run(bodies: () => string, config: Partial<ScrapeConfig> = {}) {
  const store = new RecordingAppendable();
  const scrape: ScrapeFn = async () => ({ body: enc.encode(bodies()), contentType: 'text/plain' });
  const sub = scrapeLoop({
    target: makeTarget(),
    config: jobConfig(config),
    appendable: store,
    scrape,
    parserFactory: defaultParserFactory,
    metricRelabel: (l) => l,
  }).subscribe();
  return { store, sub };
}

describe('scrapeLoop metadata', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives report series their fixed metadata once, and scraped series theirs once', async () => {
    const { store, sub } = run(() => BODY, { extraScrapeMetrics: true });
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(store.commits).toBe(3);
    const bySeries = new Map(store.metadata.map((m) => [m.series, m.metadata]));
    expect(store.metadata).toHaveLength(bySeries.size);
    expect(bySeries.get(A)).toEqual({ type: 'gauge', help: 'Things.', unit: '' });
    expect(bySeries.get('{__name__="up", instance="h:9100", job="job"}')).toBe(REPORT_METADATA.up);
    expect(REPORT_METADATA.up).toMatchObject({ type: 'gauge', unit: 'targets' });
    expect(bySeries.get('{__name__="scrape_body_size_bytes", instance="h:9100", job="job"}')).toMatchObject({
      type: 'gauge',
      unit: 'bytes',
    });
    expect(bySeries.size).toBe(1 + 8);
    sub.unsubscribe();
  });

  it('writes no scraped metadata for a rolled-back scrape and reports it after recovery', async () => {
    let body = `${BODY}b{ 2\n`; // parse error after `a` was appended
    const { store, sub } = run(() => body);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(store.rollbacks).toBe(1);
    expect(store.metadata.map((m) => m.series)).not.toContain(A);
    // The failure transaction still carries up=0 and the report series' metadata.
    expect(store.metadata.some((m) => m.series.includes('"up"'))).toBe(true);
    body = BODY;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(store.metadata.filter((m) => m.series === A)).toHaveLength(1);
    sub.unsubscribe();
  });

  it('reports again after a commit that failed', async () => {
    const { store, sub } = run(() => BODY);
    store.failNextCommit = true;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(store.metadata).toEqual([]);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(store.metadata.filter((m) => m.series === A)).toHaveLength(1);
    expect(store.metadata.filter((m) => m.series.includes('"up"'))).toHaveLength(1);
    sub.unsubscribe();
  });
});
