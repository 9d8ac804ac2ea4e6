import { Labels } from '@scrapewire/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf, commitOne, intHistogram, up } from '../test/samples.js';
import { MemoryStorage } from './memory-storage.js';

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

// 1 keeps the newest point inline only, 2 and 3 trim a history array, undefined never trims.
const pointCaps = [undefined, 1, 2, 3];
describe.each(pointCaps)('MemoryStorage against a model (property, maxPointsPerSeries %s)', (cap) => {
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
        const st = new MemoryStorage(
          cap ? { retentionMs: 1e9, maxPointsPerSeries: cap } : { retentionMs: 1e9 },
        );
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
          expect(pts).toEqual(model[i]!.slice(-(cap ?? 0))); // the newest `cap` points; slice(-0) is all
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

  it.each([3, 40])(
    'keeps the newest %s points over many commits, kinds of the kept points included',
    async (cap) => {
      const storage = new MemoryStorage({ maxPointsPerSeries: cap });
      const l = Labels.from({ __name__: 'x' });
      const staleAt = (t: number) => t % 7 === 0;
      for (let t = 1; t <= 100; t++) {
        const app = storage.appender();
        if (staleAt(t)) app.appendStale(0, l, t);
        else app.append(0, l, t, t);
        await app.commit();
      }
      const [series] = storage.range([], 0, 1000);
      const want = Array.from({ length: cap }, (_, i) => 101 - cap + i);
      expect(series!.samples.map((p) => [p.timestampMs, p.stale])).toEqual(want.map((t) => [t, staleAt(t)]));
      expect(series!.samples.filter((p) => !p.stale).map((p) => p.value)).toEqual(
        want.filter((t) => !staleAt(t)),
      );
    },
  );

  it('rejects a cap below one', () => {
    expect(() => new MemoryStorage({ maxPointsPerSeries: 0 })).toThrow(
      'maxPointsPerSeries must be at least 1',
    );
  });
});

describe('MemoryStorage with one point per series (the agent setting)', () => {
  const x = Labels.from({ __name__: 'x' });
  const onlyX = [{ name: '__name__', type: '=' as const, value: 'x' }];

  it('answers latest() and range() with the newest committed point only', async () => {
    const st = new MemoryStorage({ maxPointsPerSeries: 1 });
    for (let t = 1000; t <= 5000; t += 1000) await commitOne(st, (a) => a.append(0, x, t, t / 100));
    expect(st.latest(onlyX).map((s) => s.sample)).toEqual([{ timestampMs: 5000, value: 50, stale: false }]);
    expect(st.range([], 0, 10_000)).toEqual([
      { labels: x, samples: [{ timestampMs: 5000, value: 50, stale: false }] },
    ]);
    expect(st.range([], 0, 4999)).toEqual([]);
    expect(st.stats().samplesAppended).toBe(5);
  });

  it('rejects out-of-order and duplicate samples against the kept point, at append and at commit', async () => {
    const st = new MemoryStorage({ maxPointsPerSeries: 1 });
    await commitOne(st, (a) => a.append(0, x, 2000, 1));
    const a = st.appender();
    expect(codeOf(() => a.append(0, x, 1000, 1))).toBe('SW_ERR_OUT_OF_ORDER_SAMPLE');
    expect(codeOf(() => a.append(0, x, 2000, 2))).toBe('SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP');
    expect(codeOf(() => a.appendStale(0, x, 2000))).toBe('SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP');
    expect(codeOf(() => a.append(0, x, 2000, 1))).toBeUndefined();
    // Accepted at append time, overtaken before commit by another transaction.
    a.append(0, x, 3000, 3);
    await commitOne(st, (b) => b.append(0, x, 4000, 4));
    await a.commit();
    await commitOne(st, (b) => {
      // Same timestamp as the kept point: a no-op when equal, rejected at commit when another
      // transaction committed a different value there first.
      b.append(0, x, 5000, 5);
    });
    const late = st.appender();
    late.append(0, x, 6000, 6);
    await commitOne(st, (b) => b.append(0, x, 6000, 7));
    await late.commit();
    expect(st.stats().rejected).toEqual({
      SW_ERR_OUT_OF_ORDER_SAMPLE: 2,
      SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP: 3,
    });
    expect(st.range([], 0, 10_000)[0]!.samples).toEqual([{ timestampMs: 6000, value: 7, stale: false }]);
  });

  it('keeps a staleness marker as the only point, and forgets it once a float replaces it', async () => {
    const st = new MemoryStorage({ maxPointsPerSeries: 1 });
    await commitOne(st, (a) => a.append(0, x, 1000, 1));
    await commitOne(st, (a) => a.appendStale(0, x, 2000));
    expect(st.latest(onlyX)).toEqual([]);
    const [stale] = st.latest(onlyX, { includeStale: true });
    expect(stale!.sample).toMatchObject({ timestampMs: 2000, stale: true });
    expect(Number.isNaN(stale!.sample.value)).toBe(true);
    const a = st.appender();
    expect(codeOf(() => a.appendStale(0, x, 2000))).toBeUndefined();
    expect(codeOf(() => a.append(0, x, 2000, 1))).toBe('SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP');
    a.append(0, x, 3000, 3);
    await a.commit();
    expect(st.range([], 0, 10_000)[0]!.samples).toEqual([{ timestampMs: 3000, value: 3, stale: false }]);
  });

  it('replaces a histogram point with a float point and back', async () => {
    const st = new MemoryStorage({ maxPointsPerSeries: 1 });
    await commitOne(st, (a) => a.appendHistogram(0, x, 1000, intHistogram(7)));
    expect(st.latest(onlyX)[0]!.sample.histogram?.sum).toBe(7);
    const a = st.appender();
    expect(codeOf(() => a.appendHistogram(0, x, 1000, intHistogram(7)))).toBeUndefined();
    expect(codeOf(() => a.appendHistogram(0, x, 1000, intHistogram(8)))).toBe(
      'SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP',
    );
    a.append(0, x, 2000, 2);
    await a.commit();
    expect(st.latest(onlyX)[0]!.sample).toEqual({ timestampMs: 2000, value: 2, stale: false });
    await commitOne(st, (b) => b.appendHistogram(0, x, 3000, intHistogram(9)));
    expect(st.range([], 0, 10_000)[0]!.samples.map((p) => p.histogram?.sum)).toEqual([9]);
  });

  it('grows from one point to a history with the default options, kinds included', async () => {
    const st = new MemoryStorage();
    await commitOne(st, (a) => a.appendStale(0, x, 1000));
    expect(st.range([], 0, 10_000)[0]!.samples.map((p) => [p.timestampMs, p.stale])).toEqual([[1000, true]]);
    await commitOne(st, (a) => a.append(0, x, 2000, 2));
    await commitOne(st, (a) => a.appendHistogram(0, x, 3000, intHistogram(3)));
    await commitOne(st, (a) => {
      a.append(0, x, 4000, 4);
      a.append(0, x, 5000, 5);
    });
    const got = st.range([], 0, 10_000)[0]!.samples;
    expect(got.map((p) => [p.timestampMs, p.stale, p.histogram?.sum])).toEqual([
      [1000, true, undefined],
      [2000, false, undefined],
      [3000, false, 3],
      [4000, false, undefined],
      [5000, false, undefined],
    ]);
    expect(got.map((p) => p.value).slice(1)).toEqual([2, Number.NaN, 4, 5]);
    expect(st.range([], 2500, 4000)[0]!.samples.map((p) => p.timestampMs)).toEqual([3000, 4000]);
    // Order checks still look at the newest point, not at the oldest.
    const a = st.appender();
    expect(codeOf(() => a.append(0, x, 4500, 1))).toBe('SW_ERR_OUT_OF_ORDER_SAMPLE');
  });

  it('trims a history back to its newest point and keeps the kinds of what is left', async () => {
    const st = new MemoryStorage({ retentionMs: 10_000 });
    await commitOne(st, (a) => {
      a.append(0, x, 1000, 1);
      a.appendStale(0, x, 2000);
      a.appendStale(0, x, 30_000);
    });
    st.gc();
    expect(st.range([], 0, 100_000)[0]!.samples.map((p) => [p.timestampMs, p.stale])).toEqual([
      [30_000, true],
    ]);
    await commitOne(st, (a) => a.append(0, x, 31_000, 31));
    expect(st.range([], 0, 100_000)[0]!.samples.map((p) => [p.timestampMs, p.stale])).toEqual([
      [30_000, true],
      [31_000, false],
    ]);
  });

  it('rejects a NaN timestamp as out of bounds instead of storing it', async () => {
    const st = new MemoryStorage({ maxPointsPerSeries: 1 });
    const a = st.appender();
    expect(codeOf(() => a.append(0, x, Number.NaN, 1))).toBe('SW_ERR_OUT_OF_BOUNDS');
    a.append(0, x, 1000, 1);
    await a.commit();
    expect(st.latest(onlyX)[0]!.sample.timestampMs).toBe(1000);
  });

  it('drops a series whose only point left the retention window, exemplars permitting', async () => {
    const st = new MemoryStorage({ retentionMs: 10_000, maxPointsPerSeries: 1 });
    const e = Labels.from({ __name__: 'with_exemplar' });
    await commitOne(st, (a) => {
      a.append(0, x, 1000, 1);
      a.append(0, e, 1000, 1);
      a.appendExemplar(0, e, { labels: Labels.from({ trace_id: 't' }), value: 1, timestampMs: 25_000 });
      a.append(0, up('a'), 25_000, 1);
    });
    st.gc();
    expect(st.series().map((l) => l.get('__name__'))).toEqual(['up', 'with_exemplar']);
    expect(st.latest([]).map((s) => s.labels.get('__name__'))).toEqual(['up']);
    expect(st.exemplars([]).map((s) => s.labels.get('__name__'))).toEqual(['with_exemplar']);
  });
});

describe('MemoryStorage series refs', () => {
  it('finds a series by its ref without hashing its labels, also after many series expired', async () => {
    const st = new MemoryStorage({ retentionMs: 10_000 });
    const keep = up('keep');
    const first = st.appender();
    const keepRef = first.append(0, keep, 1000, 1);
    // Enough short-lived series that the ref table is compacted when they expire.
    for (let i = 0; i < 5000; i++) first.append(0, up(`gone-${i}`), 1000, 1);
    await first.commit();
    const second = st.appender();
    second.append(keepRef, keep, 20_000, 2);
    const fresh = up('fresh');
    const freshRef = second.append(0, fresh, 20_000, 2);
    await second.commit();
    st.gc();
    expect(st.stats().series).toBe(2);

    const hashOf = Labels.prototype.hash32;
    let keyCalls = 0;
    const spy = function (this: Labels) {
      keyCalls++;
      return hashOf.call(this);
    };
    Labels.prototype.hash32 = spy;
    try {
      const third = st.appender();
      expect(third.append(keepRef, keep, 30_000, 3)).toBe(keepRef);
      expect(third.append(freshRef, fresh, 30_000, 3)).toBe(freshRef);
      expect(keyCalls).toBe(0);
      // A ref of an expired series, or one that names another series, falls back to the labels.
      expect(third.append(keepRef + 1, up('gone-0'), 30_000, 3)).toBeGreaterThan(freshRef);
      expect(third.append(freshRef, keep, 40_000, 4)).toBe(keepRef);
      expect(keyCalls).toBeGreaterThan(0);
      await third.commit();
    } finally {
      Labels.prototype.hash32 = hashOf;
    }
    // The point at 20 s left the 10 s window when the one at 40 s was committed.
    expect(
      st.range([{ name: 'job', type: '=', value: 'keep' }], 0, 100_000)[0]!.samples.map((p) => p.value),
    ).toEqual([3, 4]);
  });

  it('registers the series of transactions committed out of ref order', async () => {
    const st = new MemoryStorage();
    const a = st.appender();
    const b = st.appender();
    const refsA = Array.from({ length: 1500 }, (_, i) => a.append(0, up('a', String(i)), 1000, i));
    const refsB = Array.from({ length: 1500 }, (_, i) => b.append(0, up('b', String(i)), 1000, i));
    await b.commit();
    await a.commit();
    const c = st.appender();
    for (let i = 0; i < 1500; i++) {
      expect(c.append(refsA[i]!, up('a', String(i)), 2000, i)).toBe(refsA[i]);
      expect(c.append(refsB[i]!, up('b', String(i)), 2000, i)).toBe(refsB[i]);
    }
    await c.commit();
    expect(st.stats().series).toBe(3000);
  });

  it('gives the committed ref when two transactions created the same series', async () => {
    const st = new MemoryStorage();
    const slow = st.appender();
    const slowRef = slow.append(0, up('a'), 1000, 1);
    const fast = st.appender();
    const fastRef = fast.append(0, up('a'), 1000, 1);
    expect(fastRef).not.toBe(slowRef);
    await fast.commit();
    await slow.commit();
    const next = st.appender();
    expect(next.append(slowRef, up('a'), 2000, 2)).toBe(fastRef);
    await next.commit();
    expect(st.stats().series).toBe(1);
  });
});

describe('MemoryStorage transaction arrays', () => {
  it("reuses a finished transaction's arrays without replaying its points", async () => {
    const st = new MemoryStorage({ maxPointsPerSeries: 1 });
    const first = st.appender();
    for (const job of ['a', 'b', 'c']) first.append(0, up(job), 1000, 1);
    await first.commit();
    // Fewer points than the arrays hold from the first transaction, then a rolled-back one, then more.
    const second = st.appender();
    second.append(0, up('a'), 2000, 2);
    await second.commit();
    const third = st.appender();
    third.append(0, up('b'), 3000, 3);
    third.append(0, up('c'), 3000, 3);
    await third.rollback();
    const fourth = st.appender();
    fourth.append(0, up('c'), 4000, 4);
    // Two open transactions at once each get arrays of their own.
    const fifth = st.appender();
    fifth.append(0, up('d'), 4000, 5);
    await fourth.commit();
    await fifth.commit();
    const latest = Object.fromEntries(
      st.latest([]).map((s) => [s.labels.get('job'), [s.sample.timestampMs, s.sample.value]]),
    );
    expect(latest).toEqual({ a: [2000, 2], b: [1000, 1], c: [4000, 4], d: [4000, 5] });
    expect(st.stats()).toMatchObject({ samplesAppended: 6, rejected: {} });
  });
});
