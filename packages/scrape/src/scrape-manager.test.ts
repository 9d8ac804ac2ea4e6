import type { ScrapeConfig } from '@scrapewire/config';
import { DEFAULT_RELABEL_CONFIG } from '@scrapewire/relabel';
import type { TargetGroup, TargetSets } from '@scrapewire/model';
import { BehaviorSubject, Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jobConfig, RecordingAppendable } from '../test/helpers.js';
import type { HttpScraper, ScrapeFn, ScrapeRequest } from './http-scraper.js';
import { noopScrapeMetrics } from './metrics.js';
import { createScrapeManager } from './scrape-manager.js';
import type { ScrapeReport } from './scrape-report.js';

const enc = new TextEncoder();
const INTERVAL = 10_000;

function group(source: string, ...addrs: string[]): TargetGroup {
  return { source, targets: addrs.map((a) => ({ __address__: a })), labels: {} };
}
function sets(entries: Record<string, TargetGroup[]>): TargetSets {
  return new Map(Object.entries(entries));
}

/** A fake transport: every address answers `m{addr} 1` after `delayMs`, honouring abort. */
function fakeTransport(delayMs = 0) {
  const calls: ScrapeRequest[] = [];
  const aborted: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let closes = 0;
  const scrape: ScrapeFn = (req) => {
    calls.push(req);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    return new Promise((resolve, reject) => {
      const done = () => {
        inFlight--;
        resolve({ body: enc.encode(`m 1\n`), contentType: 'text/plain' });
      };
      if (delayMs === 0) {
        queueMicrotask(done);
        return;
      }
      const t = setTimeout(done, delayMs);
      req.signal.addEventListener('abort', () => {
        clearTimeout(t);
        inFlight--;
        aborted.push(req.url);
        reject(new Error('aborted'));
      });
    });
  };
  const createScraper = (): HttpScraper => ({
    scrape,
    close: async () => {
      closes++;
    },
  });
  return {
    createScraper,
    calls,
    aborted,
    get maxInFlight() {
      return maxInFlight;
    },
    get closes() {
      return closes;
    },
  };
}

function setup(configs: ScrapeConfig[], delayMs = 0) {
  const transport = fakeTransport(delayMs);
  const store = new RecordingAppendable();
  const metrics = { ...noopScrapeMetrics, observeSync: vi.fn(), incExceededTargetLimit: vi.fn() };
  const manager = createScrapeManager({
    appendable: store,
    createScraper: transport.createScraper,
    offsetSeed: 0n,
    metrics,
  });
  const targets$ = new Subject<TargetSets>();
  const config$ = new BehaviorSubject<readonly ScrapeConfig[]>(configs);
  const reports: ScrapeReport[] = [];
  const sub = manager.run(targets$, config$).subscribe((r) => reports.push(r));
  const urls = (job = 'job') => (manager.targets().get(job)?.active ?? []).map((t) => t.scrapeUrl).sort();
  return { transport, store, manager, targets$, config$, reports, sub, urls, metrics };
}

describe('createScrapeManager', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects missing options', () => {
    expect(() => createScrapeManager(undefined as never)).toThrow(/appendable/);
    expect(() =>
      createScrapeManager({ appendable: new RecordingAppendable(), reloadIntervalMs: -1 }),
    ).toThrow(/reloadIntervalMs/);
  });

  it('applies the first update at once and throttles a burst into one reload at the end of the interval', async () => {
    const t = setup([jobConfig()]);
    t.targets$.next(sets({ job: [group('g', 'a:1')] }));
    expect(t.urls()).toEqual(['http://a:1/metrics']);
    await vi.advanceTimersByTimeAsync(1000);
    t.targets$.next(sets({ job: [group('g', 'a:1', 'b:1')] }));
    await vi.advanceTimersByTimeAsync(1000);
    t.targets$.next(sets({ job: [group('g', 'a:1', 'b:1', 'c:1')] }));
    expect(t.urls()).toEqual(['http://a:1/metrics']);
    await vi.advanceTimersByTimeAsync(2999);
    expect(t.urls()).toEqual(['http://a:1/metrics']);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.urls()).toEqual(['http://a:1/metrics', 'http://b:1/metrics', 'http://c:1/metrics']);
    expect(t.metrics.observeSync).toHaveBeenCalledTimes(2);
    t.sub.unsubscribe();
  });

  it('never starves reloads under constant churn', async () => {
    const t = setup([jobConfig()]);
    let n = 0;
    const applied: number[] = [];
    for (let s = 0; s < 30; s++) {
      n++;
      t.targets$.next(sets({ job: [group('g', ...Array.from({ length: n }, (_, i) => `h${i}:1`))] }));
      await vi.advanceTimersByTimeAsync(1000);
      applied.push(t.urls().length);
    }
    // A reload at least every 5 s while updates keep coming.
    expect(new Set(applied).size).toBeGreaterThanOrEqual(6);
    expect(applied[29]).toBeGreaterThanOrEqual(25);
    t.sub.unsubscribe();
  });

  it('keeps unchanged targets running, starts new ones, and stops vanished ones with end-of-run staleness', async () => {
    const t = setup([jobConfig()]);
    t.targets$.next(sets({ job: [group('g1', 'a:1'), group('g2', 'b:1')] }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    const before = t.manager
      .targets()
      .get('job')!
      .active.find((x) => x.scrapeUrl === 'http://a:1/metrics');
    expect(before?.health).toBe('up');
    const aCalls = () => t.transport.calls.filter((c) => c.url === 'http://a:1/metrics').length;
    expect(aCalls()).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    t.targets$.next(sets({ job: [group('g1', 'a:1'), group('g3', 'c:1')] }));
    expect(t.urls()).toEqual(['http://a:1/metrics', 'http://c:1/metrics']);
    // a's loop was not restarted: it keeps its phase and its state.
    expect(
      t.manager
        .targets()
        .get('job')!
        .active.find((x) => x.scrapeUrl === 'http://a:1/metrics')?.health,
    ).toBe('up');
    await vi.advanceTimersByTimeAsync(5000);
    expect(aCalls()).toBe(2);
    const bUp = '{__name__="up", instance="b:1", job="job"}';
    const bM = '{__name__="m", instance="b:1", job="job"}';
    const scrapedB = t.store.values(bUp);
    expect(scrapedB.length).toBeGreaterThan(0);
    expect(scrapedB.includes('stale')).toBe(false);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL + INTERVAL / 10);
    expect(t.store.values(bUp)).toEqual([...scrapedB, 'stale']);
    expect(t.store.values(bM)).toEqual([...scrapedB, 'stale']);
    t.sub.unsubscribe();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a loop when its target arrives again in a new but equal group object', async () => {
    const t = setup([jobConfig()]);
    t.targets$.next(sets({ job: [group('g1', 'a:1')] }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    const first = t.reports[0]!.target;
    t.targets$.next(sets({ job: [group('g1', 'a:1'), group('g2', 'b:1')] }));
    await vi.advanceTimersByTimeAsync(5000);
    t.targets$.next(sets({ job: [group('g1', 'a:1')] }));
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    const aReports = t.reports.filter((r) => r.target.url === 'http://a:1/metrics');
    expect(aReports.length).toBeGreaterThanOrEqual(3);
    expect(aReports.every((r) => r.target === first)).toBe(true);
    // Scrapes stay one interval apart: no restart, no gap.
    for (let i = 1; i < aReports.length; i++) {
      expect(aReports[i]!.timestampMs - aReports[i - 1]!.timestampMs).toBe(INTERVAL);
    }
    t.sub.unsubscribe();
  });

  it('restarts a changed job without cancelling the in-flight scrape, and never overlaps', async () => {
    const t = setup([jobConfig()], 3000);
    t.targets$.next(sets({ job: [group('g', 'a:1')] }));
    // Run until the first scrape is in flight.
    while (t.transport.calls.length === 0) await vi.advanceTimersByTimeAsync(100);
    t.config$.next([jobConfig({ scrapeTimeoutMs: 8000 })]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(t.transport.aborted).toEqual([]);
    expect(t.reports[0]?.up).toBe(true);
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(t.transport.maxInFlight).toBe(1);
    expect(t.transport.calls.at(-1)?.timeoutMs).toBe(8000);
    expect(t.reports.every((r) => r.up)).toBe(true);
    // The old job's HTTP client is closed once its last scrape finished.
    expect(t.transport.closes).toBe(1);
    t.sub.unsubscribe();
  });

  it('hands a target over on an interval change: waits for the in-flight scrape, keeps the cache, no stale markers', async () => {
    const t = setup([jobConfig()], 3000);
    t.targets$.next(sets({ job: [group('g', 'a:1')] }));
    while (t.transport.calls.length === 0) await vi.advanceTimersByTimeAsync(100);
    t.config$.next([jobConfig({ scrapeIntervalMs: 20_000 })]);
    expect(
      t.manager
        .targets()
        .get('job')!
        .active.map((x) => x.intervalMs),
    ).toEqual([20_000]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(t.transport.aborted).toEqual([]);
    await vi.advanceTimersByTimeAsync(6 * INTERVAL);
    expect(t.transport.maxInFlight).toBe(1);
    expect(t.reports.length).toBeGreaterThanOrEqual(3);
    expect(t.reports.every((r) => r.up)).toBe(true);
    const ts = t.reports.map((r) => r.timestampMs);
    expect(ts.at(-1)! - ts.at(-2)!).toBe(20_000);
    expect(t.store.committed.some((r) => r.value === 'stale')).toBe(false);
    // Cache handed over: the series was added once, not again by the new loop.
    expect(t.reports.slice(1).every((r) => r.seriesAdded === 0)).toBe(true);
    t.sub.unsubscribe();
  });

  it('on a reload that cannot reuse the cache, the new loop stales only the series that went away', async () => {
    const t = setup([jobConfig()]);
    t.targets$.next(sets({ job: [group('g', 'a:1')] }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    // Dropping `m` by metric relabeling changes more than interval/timeout/limits: fresh cache.
    const drop = {
      ...DEFAULT_RELABEL_CONFIG,
      sourceLabels: ['__name__'],
      regex: 'm',
      action: 'drop' as const,
    };
    t.config$.next([jobConfig({ metricRelabelConfigs: [drop] })]);
    await vi.advanceTimersByTimeAsync(5 * INTERVAL);
    const m = t.store.values('{__name__="m", instance="a:1", job="job"}');
    expect(m.filter((v) => v === 'stale')).toHaveLength(1);
    expect(m.at(-1)).toBe('stale');
    expect(t.store.values('{__name__="up", instance="a:1", job="job"}').includes('stale')).toBe(false);
    t.sub.unsubscribe();
  });

  it('stops a removed job at once, without stale markers', async () => {
    const t = setup([jobConfig(), jobConfig({ jobName: 'other' })]);
    t.targets$.next(sets({ job: [group('g', 'a:1')], other: [group('g', 'b:1')] }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    t.config$.next([jobConfig({ jobName: 'other' })]);
    expect(t.manager.targets().has('job')).toBe(false);
    await vi.advanceTimersByTimeAsync(5 * INTERVAL);
    expect(t.store.committed.some((r) => r.value === 'stale')).toBe(false);
    expect(t.store.values('{__name__="up", instance="a:1", job="job"}')).toEqual([1]);
    t.sub.unsubscribe();
  });

  it('fails every target of a job over target_limit without scraping', async () => {
    const t = setup([jobConfig({ targetLimit: 2 })]);
    t.targets$.next(sets({ job: [group('g', 'a:1', 'b:1', 'c:1')] }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(t.transport.calls).toHaveLength(0);
    expect(t.reports).toHaveLength(3);
    for (const r of t.reports) {
      expect(r.up).toBe(false);
      expect(r.error?.message).toBe('target_limit exceeded (number of targets: 3, limit: 2)');
    }
    expect(t.metrics.incExceededTargetLimit).toHaveBeenCalled();
    t.sub.unsubscribe();
  });

  it('lists dropped targets up to keep_dropped_targets and counts them all', () => {
    const drop = {
      ...DEFAULT_RELABEL_CONFIG,
      sourceLabels: ['__address__'],
      regex: 'drop.*',
      action: 'drop' as const,
    };
    const t = setup([jobConfig({ relabelConfigs: [drop], keepDroppedTargets: 1 })]);
    t.targets$.next(sets({ job: [group('g', 'a:1', 'drop1:1', 'drop2:1')] }));
    const pool = t.manager.targets().get('job')!;
    expect(pool.active.map((x) => x.labels)).toEqual([{ instance: 'a:1', job: 'job' }]);
    expect(pool.dropped).toHaveLength(1);
    expect(pool.dropped[0]!.discoveredLabels.__address__).toBe('drop1:1');
    expect(pool.droppedCount).toBe(2);
    t.sub.unsubscribe();
  });

  it('reports target state for the targets API', async () => {
    const t = setup([jobConfig()]);
    t.targets$.next(
      sets({
        job: [{ source: 'g', targets: [{ __address__: 'a:1', __meta_x: 'y' }], labels: { env: 'p' } }],
      }),
    );
    const [before] = t.manager.targets().get('job')!.active;
    expect(before).toMatchObject({
      health: 'unknown',
      lastError: '',
      lastScrapeMs: 0,
      intervalMs: INTERVAL,
      timeoutMs: 5000,
    });
    expect(before!.labels).toEqual({ env: 'p', instance: 'a:1', job: 'job' });
    expect(before!.discoveredLabels.__meta_x).toBe('y');
    await vi.advanceTimersByTimeAsync(INTERVAL);
    const [after] = t.manager.targets().get('job')!.active;
    expect(after!.health).toBe('up');
    expect(after!.lastScrapeMs).toBeGreaterThan(0);
    t.sub.unsubscribe();
    expect(t.manager.targets().size).toBe(0);
  });

  it('hard-stops on unsubscribe: aborts in-flight requests, closes clients, leaves no timers', async () => {
    const t = setup([jobConfig()], 3000);
    t.targets$.next(sets({ job: [group('g', 'a:1', 'b:1')] }));
    while (t.transport.calls.length === 0) await vi.advanceTimersByTimeAsync(100);
    t.sub.unsubscribe();
    expect(t.transport.aborted.length).toBeGreaterThan(0);
    expect(t.transport.closes).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(t.store.committed.some((r) => r.value === 'stale')).toBe(false);
  });

  it('closes the clients of a pending reload on hard stop', async () => {
    const t = setup([jobConfig()], 3000);
    t.targets$.next(sets({ job: [group('g', 'a:1')] }));
    while (t.transport.calls.length === 0) await vi.advanceTimersByTimeAsync(100);
    t.config$.next([jobConfig({ scrapeTimeoutMs: 8000 })]);
    expect(t.transport.closes).toBe(0);
    t.sub.unsubscribe();
    expect(t.transport.closes).toBe(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps a loop alive when the storage throws outside a sample append', async () => {
    const t = setup([jobConfig()]);
    const original = t.store.appender.bind(t.store);
    let broken = true;
    t.store.appender = () => {
      if (broken) throw new Error('storage down');
      return original();
    };
    t.targets$.next(sets({ job: [group('g', 'a:1')] }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(t.reports).toHaveLength(0);
    broken = false;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(t.reports.map((r) => r.up)).toEqual([true]);
    t.sub.unsubscribe();
  });

  it('keeps a pool on its old config when the new one has an invalid relabel rule', async () => {
    const t = setup([jobConfig()]);
    t.targets$.next(sets({ job: [group('g', 'a:1')] }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    const bad = { ...DEFAULT_RELABEL_CONFIG, action: 'hashmod' as const, targetLabel: 'x', modulus: 0 };
    t.config$.next([jobConfig({ relabelConfigs: [bad] })]);
    expect(t.urls()).toEqual(['http://a:1/metrics']);
    await vi.advanceTimersByTimeAsync(2 * INTERVAL);
    expect(t.reports.length).toBeGreaterThanOrEqual(3);
    expect(t.transport.closes).toBe(0);
    t.sub.unsubscribe();
  });

  it('collapses duplicate targets across groups into one loop', async () => {
    const t = setup([jobConfig()]);
    t.targets$.next(sets({ job: [group('g1', 'a:1'), group('g2', 'a:1'), group('g3', 'a:1', 'a:1')] }));
    expect(t.urls()).toEqual(['http://a:1/metrics']);
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(t.transport.calls).toHaveLength(1);
    t.sub.unsubscribe();
  });

  it('keeps a target listed by two groups until neither lists it', async () => {
    const t = setup([jobConfig()]);
    const g1 = group('g1', 'a:1');
    const g2 = group('g2', 'a:1');
    t.targets$.next(sets({ job: [g1, g2] }));
    await vi.advanceTimersByTimeAsync(INTERVAL);
    t.targets$.next(sets({ job: [g2] }));
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.urls()).toEqual(['http://a:1/metrics']);
    t.targets$.next(sets({ job: [] }));
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.urls()).toEqual([]);
    t.sub.unsubscribe();
  });

  it('rebuilds only the groups whose object changed', async () => {
    const t = setup([jobConfig()]);
    const incSyncFailed = vi.fn();
    const m = createScrapeManager({
      appendable: t.store,
      createScraper: t.transport.createScraper,
      metrics: { ...noopScrapeMetrics, incSyncFailed },
    });
    const targets$ = new Subject<TargetSets>();
    const sub = m.run(targets$, new BehaviorSubject([jobConfig()])).subscribe();
    // A target with an empty address fails to build: a visible side effect of building the group.
    const bad: TargetGroup = { source: 'bad', targets: [{ __address__: '' }], labels: {} };
    targets$.next(sets({ job: [bad, group('g', 'a:1')] }));
    expect(incSyncFailed).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5000);
    targets$.next(sets({ job: [bad, group('g', 'a:1', 'b:1')] }));
    await vi.advanceTimersByTimeAsync(5000);
    expect(incSyncFailed).toHaveBeenCalledTimes(1);
    expect(m.targets().get('job')!.active).toHaveLength(2);
    sub.unsubscribe();
    t.sub.unsubscribe();
  });

  it('errors on an invalid config list', () => {
    const manager = createScrapeManager({ appendable: new RecordingAppendable() });
    const err = vi.fn();
    manager
      .run(new Subject<TargetSets>(), new BehaviorSubject([jobConfig(), jobConfig()]))
      .subscribe({ error: err });
    expect(err.mock.calls[0]?.[0]?.code).toBe('SW_ERR_INVALID_OPTIONS');
  });
});
