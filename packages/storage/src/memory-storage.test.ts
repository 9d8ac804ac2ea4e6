import { Labels } from '@scrapewire/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StorageError } from './errors.js';
import { MemoryStorage } from './memory-storage.js';

const up = (job: string, instance = 'a:1') => Labels.from({ __name__: 'up', job, instance });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof StorageError) return err.code;
    throw err;
  }
  return undefined;
}

describe('MemoryStorage', () => {
  it('makes a transaction visible only on commit, all at once', async () => {
    const st = new MemoryStorage();
    const app = st.appender();
    app.append(0, up('a'), 1000, 1);
    app.append(0, up('b'), 1000, 0);
    expect(st.series()).toEqual([]);
    expect(st.latest([])).toEqual([]);
    await app.commit();
    expect(st.latest([]).map((s) => [s.labels.get('job'), s.sample.value])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
  });

  it('discards a rolled-back transaction', async () => {
    const st = new MemoryStorage();
    const app = st.appender();
    app.append(0, up('a'), 1000, 1);
    await app.rollback();
    expect(st.series()).toEqual([]);
    expect(st.stats().rollbacks).toBe(1);
    expect(() => app.append(0, up('a'), 2000, 1)).toThrow(/already/);
  });

  it('returns refs that identify the series next time, and falls back to labels for unknown refs', async () => {
    const st = new MemoryStorage();
    const a1 = st.appender();
    const ref = a1.append(0, up('a'), 1000, 1);
    expect(ref).toBeGreaterThan(0);
    expect(a1.append(ref, up('a'), 2000, 2)).toBe(ref);
    await a1.commit();
    const a2 = st.appender();
    expect(a2.append(ref, up('a'), 3000, 3)).toBe(ref);
    // A ref naming another series is not trusted.
    const other = a2.append(ref, up('b'), 3000, 3);
    expect(other).not.toBe(ref);
    expect(a2.append(9999, up('a'), 4000, 4)).toBe(ref);
    await a2.commit();
    expect(
      st.range([{ name: 'job', type: '=', value: 'a' }], 0, 10_000)[0]!.samples.map((s) => s.value),
    ).toEqual([1, 2, 3, 4]);
  });

  it('rejects out-of-order and duplicate samples with typed errors, counted, and keeps going', async () => {
    const st = new MemoryStorage();
    const a1 = st.appender();
    a1.append(0, up('a'), 2000, 1);
    await a1.commit();
    const a2 = st.appender();
    expect(codeOf(() => a2.append(0, up('a'), 1000, 1))).toBe('SW_ERR_OUT_OF_ORDER_SAMPLE');
    expect(codeOf(() => a2.append(0, up('a'), 2000, 5))).toBe('SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP');
    // The same value at the same timestamp is accepted and ignored.
    expect(codeOf(() => a2.append(0, up('a'), 2000, 1))).toBeUndefined();
    // Checks also apply within one transaction.
    a2.append(0, up('a'), 3000, 1);
    expect(codeOf(() => a2.append(0, up('a'), 2500, 1))).toBe('SW_ERR_OUT_OF_ORDER_SAMPLE');
    await a2.commit();
    expect(st.stats().rejected).toEqual({
      SW_ERR_OUT_OF_ORDER_SAMPLE: 2,
      SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP: 1,
    });
    expect(st.range([], 0, 10_000)[0]!.samples.map((s) => s.timestampMs)).toEqual([2000, 3000]);
  });

  it('treats NaN at the same timestamp as the same value', async () => {
    const st = new MemoryStorage();
    const a = st.appender();
    a.append(0, up('a'), 1000, Number.NaN);
    expect(codeOf(() => a.append(0, up('a'), 1000, Number.NaN))).toBeUndefined();
    expect(codeOf(() => a.appendStale(0, up('a'), 1000))).toBe('SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP');
  });

  it('rejects samples older than the retention window as out of bounds and trims old data', async () => {
    const st = new MemoryStorage({ retentionMs: 10_000 });
    const a1 = st.appender();
    a1.append(0, up('a'), 1000, 1);
    a1.append(0, up('b'), 1000, 1);
    await a1.commit();
    const a2 = st.appender();
    a2.append(0, up('a'), 20_000, 2);
    await a2.commit();
    // b had nothing newer than 20s - 10s, so it is gone; a keeps only its fresh point.
    expect(st.series().map((l) => l.get('job'))).toEqual(['a']);
    expect(st.range([], 0, 100_000)[0]!.samples.map((s) => s.timestampMs)).toEqual([20_000]);
    const a3 = st.appender();
    expect(codeOf(() => a3.append(0, up('c'), 5000, 1))).toBe('SW_ERR_OUT_OF_BOUNDS');
  });

  it('enforces the series limit and frees room when series expire', async () => {
    const st = new MemoryStorage({ maxSeries: 2 });
    const a = st.appender();
    a.append(0, up('a'), 1000, 1);
    a.append(0, up('b'), 1000, 1);
    expect(codeOf(() => a.append(0, up('c'), 1000, 1))).toBe('SW_ERR_SERIES_LIMIT');
    // Existing series still accept samples.
    a.append(0, up('a'), 2000, 1);
    await a.commit();
    expect(st.stats()).toMatchObject({ series: 2, rejected: { SW_ERR_SERIES_LIMIT: 1 } });
  });

  it('stores staleness markers as such and hides stale series from latest() by default', async () => {
    const st = new MemoryStorage();
    const a = st.appender();
    a.append(0, up('a'), 1000, 1);
    a.appendStale(0, up('a'), 2000);
    a.append(0, up('b'), 1000, 1);
    await a.commit();
    expect(st.latest([]).map((s) => s.labels.get('job'))).toEqual(['b']);
    const withStale = st.latest([{ name: 'job', type: '=', value: 'a' }], { includeStale: true });
    expect(withStale[0]!.sample).toMatchObject({ timestampMs: 2000, stale: true });
    expect(Number.isNaN(withStale[0]!.sample.value)).toBe(true);
    expect(
      st.range([{ name: 'job', type: '=', value: 'a' }], 0, 5000)[0]!.samples.map((s) => s.stale),
    ).toEqual([false, true]);
  });

  it('selects with =, !=, =~ and !~ (anchored RE2), treating absent labels as empty', async () => {
    const st = new MemoryStorage();
    const a = st.appender();
    a.append(0, up('api'), 1000, 1);
    a.append(0, up('api-2'), 1000, 1);
    a.append(0, Labels.from({ __name__: 'up', job: 'web', env: 'prod' }), 1000, 1);
    await a.commit();
    const jobs = (m: Parameters<MemoryStorage['series']>[0]) => st.series(m).map((l) => l.get('job'));
    expect(jobs([{ name: 'job', type: '=~', value: 'api' }])).toEqual(['api']);
    expect(jobs([{ name: 'job', type: '=~', value: 'api.*' }])).toEqual(['api', 'api-2']);
    expect(jobs([{ name: 'job', type: '!~', value: 'api|web' }])).toEqual(['api-2']);
    // Sorted by labels: `env` sorts before `instance`, so the web series comes first.
    expect(jobs([{ name: 'job', type: '!=', value: 'api' }])).toEqual(['web', 'api-2']);
    expect(jobs([{ name: 'env', type: '=', value: '' }])).toEqual(['api', 'api-2']);
    expect(
      jobs([
        { name: '__name__', type: '=', value: 'up' },
        { name: 'env', type: '=~', value: 'pr.d' },
      ]),
    ).toEqual(['web']);
    expect(() => st.series([{ name: 'job', type: '=~', value: '(' }])).toThrow(/invalid regular expression/);
  });

  it('returns range() points inclusive of both ends', async () => {
    const st = new MemoryStorage();
    const a = st.appender();
    for (let t = 1000; t <= 5000; t += 1000) a.append(0, up('a'), t, t / 1000);
    await a.commit();
    expect(st.range([], 2000, 4000)[0]!.samples.map((s) => s.value)).toEqual([2, 3, 4]);
    expect(st.range([], 6000, 7000)).toEqual([]);
  });

  it('keeps metadata, exemplars and native histograms', async () => {
    const st = new MemoryStorage({ maxExemplarsPerSeries: 2 });
    const l = Labels.from({ __name__: 'http_requests_total', job: 'a' });
    const a = st.appender();
    a.append(0, l, 1000, 5);
    a.updateMetadata(0, l, { type: 'counter', help: 'Requests.', unit: '' });
    for (let i = 1; i <= 3; i++)
      a.appendExemplar(0, l, { labels: Labels.from({ trace_id: `t${i}` }), value: i, timestampMs: 1000 + i });
    const h = Labels.from({ __name__: 'latency', job: 'a' });
    a.appendHistogram(0, h, 1000, {
      kind: 'int',
      counterResetHint: 'unknown',
      schema: 0,
      zeroThreshold: 0,
      zeroCount: 0,
      count: 1,
      sum: 2,
      positiveSpans: [{ offset: 1, length: 1 }],
      positiveDeltas: [1],
      negativeSpans: [],
      negativeDeltas: [],
    });
    await a.commit();
    expect(st.metadata(l)).toEqual({ type: 'counter', help: 'Requests.', unit: '' });
    expect(st.latest([{ name: 'job', type: '=', value: 'a' }])[0]!.metadata?.type).toBe('counter');
    expect(st.exemplars([])[0]!.exemplars.map((e) => e.labels.get('trace_id'))).toEqual(['t2', 't3']);
    expect(st.latest([{ name: '__name__', type: '=', value: 'latency' }])[0]!.sample.histogram?.sum).toBe(2);
  });

  it('rejects out-of-order, duplicate and oversized exemplars', async () => {
    const st = new MemoryStorage();
    const l = Labels.from({ __name__: 'x' });
    const a = st.appender();
    a.appendExemplar(0, l, { labels: Labels.from({ t: '1' }), value: 1, timestampMs: 2000 });
    expect(
      codeOf(() => a.appendExemplar(0, l, { labels: Labels.from({ t: '1' }), value: 1, timestampMs: 1000 })),
    ).toBe('SW_ERR_OUT_OF_ORDER_EXEMPLAR');
    expect(
      codeOf(() => a.appendExemplar(0, l, { labels: Labels.from({ t: '1' }), value: 1, timestampMs: 2000 })),
    ).toBe('SW_ERR_DUPLICATE_EXEMPLAR');
    expect(
      codeOf(() =>
        a.appendExemplar(0, l, { labels: Labels.from({ t: 'x'.repeat(128) }), value: 1, timestampMs: 3000 }),
      ),
    ).toBe('SW_ERR_EXEMPLAR_LABEL_LENGTH');
  });

  it('drops at commit samples another transaction has overtaken', async () => {
    const st = new MemoryStorage();
    const slow = st.appender();
    slow.append(0, up('a'), 1000, 1);
    const fast = st.appender();
    fast.append(0, up('a'), 2000, 2);
    await fast.commit();
    await slow.commit();
    expect(st.range([], 0, 5000)[0]!.samples.map((s) => s.value)).toEqual([2]);
    expect(st.stats().rejected.SW_ERR_OUT_OF_ORDER_SAMPLE).toBe(1);
  });

  it('validates its options', () => {
    expect(() => new MemoryStorage({ retentionMs: 0 })).toThrow(/retentionMs/);
    expect(() => new MemoryStorage({ maxSeries: 0 })).toThrow(/maxSeries/);
  });
});

describe('MemoryStorage against a model (property)', () => {
  it('commits exactly the accepted appends of committed transactions, in order', async () => {
    const series = [up('a'), up('b'), up('c')];
    const op = fc.record({
      s: fc.integer({ min: 0, max: 2 }),
      t: fc.integer({ min: 0, max: 20 }),
      v: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constant(Number.NaN), fc.constant('stale' as const)),
    });
    const txn = fc.record({ ops: fc.array(op, { maxLength: 8 }), commit: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(txn, { maxLength: 8 }), async (txns) => {
        const st = new MemoryStorage({ retentionMs: 1e9 });
        // The model: committed points per series, as [t, value-or-'stale'].
        const model: [number, number | 'stale'][][] = [[], [], []];
        for (const { ops, commit } of txns) {
          const pending = model.map((m) => [...m]);
          const app = st.appender();
          for (const o of ops) {
            const last = pending[o.s]![pending[o.s]!.length - 1];
            const same = last !== undefined && last[0] === o.t && Object.is(last[1], o.v);
            const want =
              last === undefined || o.t > last[0]
                ? 'ok'
                : same
                  ? 'noop'
                  : o.t < last[0]
                    ? 'SW_ERR_OUT_OF_ORDER_SAMPLE'
                    : 'SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP';
            const got = codeOf(() =>
              o.v === 'stale' ? app.appendStale(0, series[o.s]!, o.t) : app.append(0, series[o.s]!, o.t, o.v),
            );
            expect(got ?? (want === 'noop' ? 'noop' : 'ok')).toBe(want);
            if (want === 'ok') pending[o.s]!.push([o.t, o.v]);
          }
          if (commit) {
            await app.commit();
            for (let i = 0; i < 3; i++) model[i] = pending[i]!;
          } else {
            await app.rollback();
          }
        }
        for (let i = 0; i < 3; i++) {
          const got = st.range([{ name: 'job', type: '=', value: series[i]!.get('job') }], 0, 100);
          const pts = got[0]?.samples.map((p) => [p.timestampMs, p.stale ? 'stale' : p.value]) ?? [];
          expect(pts).toEqual(model[i]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('MemoryStorage maxPointsPerSeries', () => {
  it('keeps only the newest points of each series, staleness included', async () => {
    const storage = new MemoryStorage({ maxPointsPerSeries: 2 });
    const l = Labels.from({ __name__: 'x' });
    for (const [t, stale] of [
      [1000, false],
      [2000, true],
      [3000, false],
      [4000, false],
    ] as const) {
      const app = storage.appender();
      if (stale) app.appendStale(0, l, t);
      else app.append(0, l, t, t / 1000);
      await app.commit();
    }
    const [series] = storage.range([{ name: '__name__', type: '=', value: 'x' }], 0, 10_000);
    expect(series!.samples.map((p) => [p.timestampMs, p.value, p.stale])).toEqual([
      [3000, 3, false],
      [4000, 4, false],
    ]);
    expect(storage.latest([{ name: '__name__', type: '=', value: 'x' }])[0]!.sample.value).toBe(4);
  });

  it('rejects a cap below one', () => {
    expect(() => new MemoryStorage({ maxPointsPerSeries: 0 })).toThrow(
      'maxPointsPerSeries must be at least 1',
    );
  });
});
