import type { TargetGroup, TargetSets } from '@scrapewire/model';
import { MemoryStorage } from '@scrapewire/storage';
import { BehaviorSubject, Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createScrapeManager, type ScrapeFn } from '../src/index.js';
import { jobConfig } from './helpers.js';

/* The engine writing into the storage package's MemoryStorage: the two contracts agree end to end. */

const enc = new TextEncoder();
const INTERVAL = 10_000;

describe('scrape engine → MemoryStorage', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stores samples and report series, and staleness for vanished series and removed targets', async () => {
    const storage = new MemoryStorage();
    const bodies = new Map<string, string>([
      ['http://a:1/metrics', 'x{k="1"} 1\ny 2\n'],
      ['http://b:1/metrics', 'z 3\n'],
    ]);
    const scrape: ScrapeFn = async ({ url }) => ({
      body: enc.encode(bodies.get(url) ?? ''),
      contentType: 'text/plain',
    });
    const manager = createScrapeManager({
      appendable: storage,
      createScraper: () => ({ scrape, close: async () => {} }),
    });
    const targets$ = new Subject<TargetSets>();
    const sub = manager.run(targets$, new BehaviorSubject([jobConfig()])).subscribe();
    const group = (...a: string[]): TargetGroup[] => [
      { source: 'g', targets: a.map((x) => ({ __address__: x })), labels: {} },
    ];
    targets$.next(new Map([['job', group('a:1', 'b:1')]]));
    await vi.advanceTimersByTimeAsync(INTERVAL);

    const eq = (name: string, value: string) => ({ name, type: '=' as const, value });
    expect(
      storage.latest([eq('__name__', 'up')]).map((s) => [s.labels.get('instance'), s.sample.value]),
    ).toEqual([
      ['a:1', 1],
      ['b:1', 1],
    ]);
    expect(storage.latest([eq('__name__', 'x')])[0]!.labels.toObject()).toEqual({
      __name__: 'x',
      instance: 'a:1',
      job: 'job',
      k: '1',
    });

    // y vanishes from a's body: it goes stale at a's next scrape.
    bodies.set('http://a:1/metrics', 'x{k="1"} 1\n');
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(storage.latest([eq('__name__', 'y')])).toEqual([]);
    expect(storage.latest([eq('__name__', 'y')], { includeStale: true })[0]!.sample.stale).toBe(true);

    // b leaves discovery: after two intervals and 10 %, its series and report series are stale.
    await vi.advanceTimersByTimeAsync(5000);
    targets$.next(new Map([['job', group('a:1')]]));
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(storage.latest([eq('instance', 'b:1')])).toEqual([]);
    const bStale = storage.latest([eq('instance', 'b:1')], { includeStale: true });
    expect(bStale.length).toBeGreaterThanOrEqual(6);
    expect(bStale.every((s) => s.sample.stale)).toBe(true);
    expect(storage.latest([eq('__name__', 'up')]).map((s) => s.labels.get('instance'))).toEqual(['a:1']);
    expect(storage.stats().rollbacks).toBe(0);
    sub.unsubscribe();
  });
});
