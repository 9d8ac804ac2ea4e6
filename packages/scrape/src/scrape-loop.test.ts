import { Labels } from '@scrapewire/model';
import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jobConfig, RecordingAppendable } from '../test/helpers.js';
import type { ScrapeConfig } from '@scrapewire/config';
import { ScrapeError } from './errors.js';
import { noopScrapeMetrics, type ScrapeMetrics } from './metrics.js';
import type { ScrapeFn, ScrapeRequest } from './http-scraper.js';
import { scrapeOffsetMs } from './offset.js';
import { defaultParserFactory } from './parser-factory.js';
import { ScrapeCache } from './scrape-cache.js';
import { endOfRunStaleness, scrapeLoop } from './scrape-loop.js';
import type { ScrapeReport } from './scrape-report.js';
import { ScrapeTarget } from './target.js';

const enc = new TextEncoder();
const INTERVAL = 10_000;

function makeTarget(timeoutMs = 5_000): ScrapeTarget {
  const labels = Labels.from({
    __address__: 'h:9100',
    __scheme__: 'http',
    __metrics_path__: '/metrics',
    instance: 'h:9100',
    job: 'job',
  });
  return new ScrapeTarget('job', labels, labels, 'http://h:9100/metrics', INTERVAL, timeoutMs);
}

const ok = (body: string): ReturnType<ScrapeFn> =>
  Promise.resolve({ body: enc.encode(body), contentType: 'text/plain; version=0.0.4' });

function run(
  scrape: ScrapeFn,
  over: {
    config?: Partial<ScrapeConfig>;
    target?: ScrapeTarget;
    stop$?: Subject<void>;
    forced?: () => ScrapeError | undefined;
    cache?: ScrapeCache;
    metrics?: ScrapeMetrics;
  } = {},
) {
  const store = new RecordingAppendable();
  const target = over.target ?? makeTarget();
  const reports: ScrapeReport[] = [];
  let completed = false;
  const sub = scrapeLoop({
    target,
    config: jobConfig(over.config),
    appendable: store,
    scrape,
    parserFactory: defaultParserFactory,
    metricRelabel: (l) => l,
    ...(over.stop$ ? { stop$: over.stop$ } : {}),
    ...(over.forced ? { forcedError: over.forced } : {}),
    ...(over.cache ? { cache: over.cache } : {}),
    ...(over.metrics ? { metrics: over.metrics } : {}),
  }).subscribe({ next: (r) => reports.push(r), complete: () => (completed = true) });
  return { store, target, reports, sub, isCompleted: () => completed };
}

const UP = '{__name__="up", instance="h:9100", job="job"}';

describe('scrapeLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('scrapes first after the hash-derived offset, then every interval, at a constant phase', async () => {
    const scrape = vi.fn<ScrapeFn>(() => ok('a 1\n'));
    const { reports, sub, target } = run(scrape);
    const offset = scrapeOffsetMs(target.hash, 0n, INTERVAL, Date.now());
    await vi.advanceTimersByTimeAsync(offset - 1);
    expect(scrape).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(scrape).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(scrape).toHaveBeenCalledTimes(4);
    const phases = new Set(reports.map((r) => r.timestampMs % INTERVAL));
    expect(phases).toEqual(new Set([Number(target.hash % BigInt(INTERVAL))]));
    expect(reports.map((r) => r.up)).toEqual([true, true, true, true]);
    expect(target.health).toBe('up');
    sub.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never overlaps scrapes of one target: ticks during a scrape are dropped', async () => {
    // A timeout longer than the interval, so that a slow scrape spans ticks.
    let inFlight = 0;
    let maxInFlight = 0;
    const scrape = vi.fn<ScrapeFn>(async ({ signal }) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => {
        const t = setTimeout(r, 15_000);
        signal.addEventListener('abort', () => clearTimeout(t));
      });
      inFlight--;
      return { body: enc.encode('a 1\n'), contentType: 'text/plain' };
    });
    const { sub } = run(scrape, { target: makeTarget(30_000) });
    await vi.advanceTimersByTimeAsync(INTERVAL + 60_000);
    expect(maxInFlight).toBe(1);
    expect(scrape.mock.calls.length).toBeLessThanOrEqual(4);
    sub.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fails a hanging scrape at scrape_timeout, aborts it, and scrapes again next interval', async () => {
    const signals: AbortSignal[] = [];
    const scrape = vi.fn<ScrapeFn>((req: ScrapeRequest) => {
      signals.push(req.signal);
      return new Promise(() => {});
    });
    const { reports, store, sub, target } = run(scrape);
    await vi.advanceTimersByTimeAsync(INTERVAL + 5_000);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.up).toBe(false);
    expect(reports[0]!.error?.code).toBe('SW_ERR_SCRAPE_TIMEOUT');
    expect(reports[0]!.error?.message).toBe('Get "http://h:9100/metrics": context deadline exceeded');
    expect(signals[0]!.aborted).toBe(true);
    expect(target.lastError?.code).toBe('SW_ERR_SCRAPE_TIMEOUT');
    expect(store.values(UP)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(scrape).toHaveBeenCalledTimes(2);
    sub.unsubscribe();
    expect(signals[1]!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes report series in the same transaction and stales series of the previous scrape on failure', async () => {
    let fail = false;
    const scrape = vi.fn<ScrapeFn>(() =>
      fail
        ? Promise.reject(
            new ScrapeError(
              'SW_ERR_SCRAPE_HTTP_STATUS',
              'server returned HTTP status 500 Internal Server Error',
            ),
          )
        : ok('a 1\nb 2\n'),
    );
    const { reports, store, sub } = run(scrape, { config: { extraScrapeMetrics: true, sampleLimit: 10 } });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(store.commits).toBe(1);
    const names = store.committed.map((r) => /__name__="([^"]+)"/.exec(r.series)![1]);
    expect(names).toEqual([
      'a',
      'b',
      'up',
      'scrape_duration_seconds',
      'scrape_samples_scraped',
      'scrape_samples_post_metric_relabeling',
      'scrape_series_added',
      'scrape_timeout_seconds',
      'scrape_sample_limit',
      'scrape_body_size_bytes',
    ]);
    expect(store.values('{__name__="scrape_samples_scraped", instance="h:9100", job="job"}')).toEqual([2]);
    expect(store.values('{__name__="scrape_series_added", instance="h:9100", job="job"}')).toEqual([2]);
    fail = true;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(reports[1]!.up).toBe(false);
    expect(reports[1]!.error?.message).toBe('server returned HTTP status 500 Internal Server Error');
    expect(store.values('{__name__="a", instance="h:9100", job="job"}')).toEqual([1, 'stale']);
    expect(store.values(UP)).toEqual([1, 0]);
    // A second failure finds nothing left to stale.
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(store.values('{__name__="a", instance="h:9100", job="job"}')).toEqual([1, 'stale']);
    sub.unsubscribe();
  });

  it('rolls back a scrape that breaks the sample limit: nothing half-appended, up=0', async () => {
    const { reports, store, sub } = run(() => ok('a 1\nb 1\nc 1\n'), { config: { sampleLimit: 2 } });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(reports[0]!.error?.message).toBe('sample limit exceeded');
    expect(store.rollbacks).toBe(1);
    expect(
      store.committed.map((r) => r.series).filter((s) => !s.includes('up') && !s.includes('scrape_')),
    ).toEqual([]);
    expect(store.values('{__name__="scrape_samples_scraped", instance="h:9100", job="job"}')).toEqual([3]);
    expect(store.values(UP)).toEqual([0]);
    sub.unsubscribe();
  });

  it('on a failure part-way through the body, stales only the series not reached (Prometheus subtlety)', async () => {
    let body = 'a 1\nb 1\n';
    const { reports, store, sub } = run(() => ok(body));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    body = 'a 2\nbad{ 1\n';
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(reports[1]!.error?.code).toBe('SW_ERR_PARSE');
    expect(reports[1]!.samplesScraped).toBe(1);
    // a's new sample was rolled back, and a counts as seen: no marker; b was not reached: stale.
    expect(store.values('{__name__="a", instance="h:9100", job="job"}')).toEqual([1]);
    expect(store.values('{__name__="b", instance="h:9100", job="job"}')).toEqual([1, 'stale']);
    sub.unsubscribe();
  });

  it('feeds the scrape metrics', async () => {
    const metrics = {
      ...noopScrapeMetrics,
      observeIntervalLength: vi.fn(),
      incExceededSampleLimit: vi.fn(),
      incExceededBodySizeLimit: vi.fn(),
    };
    let fail: ScrapeError | undefined;
    const { sub } = run(() => (fail ? Promise.reject(fail) : ok('a 1\nb 1\n')), {
      config: { sampleLimit: 1 },
      metrics,
    });
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(metrics.incExceededSampleLimit).toHaveBeenCalledTimes(2);
    expect(metrics.observeIntervalLength).toHaveBeenCalledWith('10s', 10);
    fail = new ScrapeError('SW_ERR_BODY_SIZE_LIMIT', 'body size limit exceeded');
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(metrics.incExceededBodySizeLimit).toHaveBeenCalledTimes(1);
    sub.unsubscribe();
  });

  it('treats an empty 200 body as up and stales everything seen before', async () => {
    let body = 'a 1\n';
    const { reports, store, sub } = run(() => ok(body));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    body = '';
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(reports[1]!.up).toBe(true);
    expect(store.values('{__name__="a", instance="h:9100", job="job"}')).toEqual([1, 'stale']);
    sub.unsubscribe();
  });

  it('fails without scraping while a forced error (target_limit) is set', async () => {
    const scrape = vi.fn<ScrapeFn>(() => ok('a 1\n'));
    const forced = new ScrapeError(
      'SW_ERR_TARGET_LIMIT',
      'target_limit exceeded (number of targets: 3, limit: 2)',
    );
    const { reports, sub } = run(scrape, { forced: () => forced });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(scrape).not.toHaveBeenCalled();
    expect(reports[0]!.error?.message).toBe('target_limit exceeded (number of targets: 3, limit: 2)');
    sub.unsubscribe();
  });

  it('stops gracefully on stop$: the in-flight scrape finishes and is reported', async () => {
    const stop$ = new Subject<void>();
    const scrape = vi.fn<ScrapeFn>(async () => {
      await new Promise((r) => setTimeout(r, 2_000));
      return { body: enc.encode('a 1\n'), contentType: 'text/plain' };
    });
    const { reports, sub, isCompleted, target } = run(scrape, { stop$ });
    await vi.advanceTimersByTimeAsync(scrapeOffsetMs(target.hash, 0n, INTERVAL, Date.now()));
    expect(scrape).toHaveBeenCalledTimes(1);
    stop$.next();
    expect(isCompleted()).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.up).toBe(true);
    expect(isCompleted()).toBe(true);
    expect(sub.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes end-of-run staleness for the last series and report series after 2 intervals + 10%', async () => {
    const cache = new ScrapeCache();
    const stop$ = new Subject<void>();
    const { store, target } = run(() => ok('a 1\n'), { stop$, cache });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    stop$.next();
    const done = vi.fn();
    endOfRunStaleness(target, cache, store).subscribe({ complete: done });
    await vi.advanceTimersByTimeAsync(2 * INTERVAL + INTERVAL / 10 - 1);
    expect(store.committed.some((r) => r.value === 'stale')).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toHaveBeenCalled();
    expect(store.values('{__name__="a", instance="h:9100", job="job"}')).toEqual([1, 'stale']);
    expect(store.values(UP)).toEqual([1, 'stale']);
    const staleTs = store.committed.find((r) => r.value === 'stale')!.t;
    expect(staleTs).toBe(target.lastScrapeMs + INTERVAL);
  });

  it('scrapes OpenMetrics bodies, exemplars included', async () => {
    const om = [
      '# TYPE req counter',
      '# HELP req Requests.',
      'req_total{code="200"} 7 # {trace_id="abc"} 1.0',
      'req_created{code="200"} 1000',
      '# EOF',
      '',
    ].join('\n');
    const { reports, store, sub } = run(() =>
      Promise.resolve({
        body: enc.encode(om),
        contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
      }),
    );
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(reports[0]!.error).toBeUndefined();
    expect(reports[0]!.up).toBe(true);
    expect(store.values('{__name__="req_total", code="200", instance="h:9100", job="job"}')).toEqual([7]);
    expect(store.exemplars).toEqual([
      { series: '{__name__="req_total", code="200", instance="h:9100", job="job"}', value: 1 },
    ]);
    sub.unsubscribe();
  });

  it('reports a Content-Type it cannot parse as a failed scrape', async () => {
    const { reports, sub } = run(() => Promise.resolve({ body: enc.encode('a 1\n'), contentType: '' }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(reports[0]!.error?.code).toBe('SW_ERR_CONTENT_TYPE');
    expect(reports[0]!.error?.message).toMatch(/blank Content-Type/);
    sub.unsubscribe();
    const fb = run(() => Promise.resolve({ body: enc.encode('a 1\n'), contentType: '' }), {
      config: { fallbackScrapeProtocol: 'PrometheusText0.0.4' },
    });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(fb.reports[0]!.up).toBe(true);
    fb.sub.unsubscribe();
  });

  it('releases each body once it is parsed, and the body memory is not read afterwards', async () => {
    // The scraper reuses a released body's memory for the next scrape: overwrite it on release and check
    // that what was stored came from the body as it was.
    const releases: number[] = [];
    let n = 0;
    const scrape: ScrapeFn = () => {
      const body = enc.encode(`a ${++n}\nb{x="y"} 2\n`);
      const id = n;
      return Promise.resolve({
        body,
        contentType: 'text/plain; version=0.0.4',
        release: () => {
          releases.push(id);
          body.fill(0x23); // '#': the body would read as comments
        },
      });
    };
    const { store, reports, sub } = run(scrape);
    await vi.advanceTimersByTimeAsync(INTERVAL * 2);
    sub.unsubscribe();
    expect(releases).toEqual([1, 2]);
    expect(reports.map((r) => [r.up, r.samplesScraped])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    expect(store.values('{__name__="a", instance="h:9100", job="job"}')).toEqual([1, 2]);
    expect(store.values('{__name__="b", instance="h:9100", job="job", x="y"}')).toEqual([2, 2]);
  });

  it('releases a body whose Content-Type cannot be parsed', async () => {
    const release = vi.fn();
    const { reports, sub } = run(() =>
      Promise.resolve({ body: enc.encode('a 1\n'), contentType: 'application/x-unknown', release }),
    );
    await vi.advanceTimersByTimeAsync(INTERVAL);
    sub.unsubscribe();
    expect(reports[0]!.up).toBe(false);
    expect(release).toHaveBeenCalledTimes(1);
  });
});
