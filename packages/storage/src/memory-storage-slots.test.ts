import { Labels } from '@scrapewire/model';
import { describe, expect, it } from 'vitest';
import { codeOf, commitOne, intHistogram, up } from '../test/samples.js';
import { MemoryStorage } from './memory-storage.js';

// The series of a MemoryStorage live in columns by slot (see series-columns.ts): these tests look at
// slot reuse, growth and compaction, and at refs and open transactions across them.

/** The newest point of every series as `job/instance: [t, value]`. */
function latestByName(st: MemoryStorage): Record<string, [number, number]> {
  return Object.fromEntries(
    st
      .latest([], { includeStale: true })
      .map((s) => [
        `${s.labels.get('job')}/${s.labels.get('instance')}`,
        [s.sample.timestampMs, s.sample.value],
      ]),
  );
}

describe('MemoryStorage series slots', () => {
  it('reuses the slots of dropped series for new ones', async () => {
    const st = new MemoryStorage({ retentionMs: 10_000 });
    const cols = st._columns;
    await commitOne(st, (a) => {
      for (let i = 0; i < 100; i++) a.append(0, up('old', String(i)), 1000, i);
    });
    expect([cols.end, cols.live]).toEqual([100, 100]);
    // Committing at 20 s runs the retention GC, which drops every old series.
    await commitOne(st, (a) => a.append(0, up('keep'), 20_000, -1));
    expect([cols.end, cols.live]).toEqual([101, 1]);
    await commitOne(st, (a) => {
      for (let i = 0; i < 100; i++) a.append(0, up('new', String(i)), 20_000, i * 10);
    });
    expect([cols.end, cols.live]).toEqual([101, 101]);
    const want: Record<string, [number, number]> = { 'keep/a:1': [20_000, -1] };
    for (let i = 0; i < 100; i++) want[`new/${i}`] = [20_000, i * 10];
    expect(latestByName(st)).toEqual(want);
  });

  it('does not let the ref of a dropped series name the series that took over its slot', async () => {
    const st = new MemoryStorage({ retentionMs: 10_000 });
    const x = up('x');
    const y = up('y');
    const refX = await commitOne(st, (a) => a.append(0, x, 1000, 1));
    await commitOne(st, (a) => a.append(0, up('keep'), 20_000, 0));
    const refY = await commitOne(st, (a) => a.append(0, y, 20_000, 2));
    // y sits in x's old slot.
    expect(st._columns.end).toBe(2);
    expect(refY).not.toBe(refX);
    const a = st.appender();
    // x's ref with y's labels finds y by its labels and hands back y's own ref.
    expect(a.append(refX, y, 21_000, 3)).toBe(refY);
    // x's ref with x's labels: x is gone, so it comes back as a new series with a new ref.
    const refX2 = a.append(refX, x, 21_000, 4);
    expect([refX, refY]).not.toContain(refX2);
    await a.commit();
    expect(latestByName(st)).toEqual({
      'keep/a:1': [20_000, 0],
      'x/a:1': [21_000, 4],
      'y/a:1': [21_000, 3],
    });
  });

  it("commits an open transaction's points to their own series when the slot was reused meanwhile", async () => {
    const st = new MemoryStorage({ retentionMs: 10_000 });
    const x = up('x');
    const y = up('y');
    await commitOne(st, (a) => a.append(0, x, 1000, 1));
    const slow = st.appender();
    slow.append(0, x, 2000, 2);
    // x's committed point leaves the window, so x is dropped; y takes its slot.
    await commitOne(st, (a) => a.append(0, up('keep'), 20_000, 0));
    await commitOne(st, (a) => a.append(0, y, 20_000, 5));
    expect(st._columns.end).toBe(2);
    // For y, the slow transaction sees y's committed point, not its own pending point for x.
    expect(codeOf(() => slow.append(0, y, 15_000, 6))).toBe('SW_ERR_OUT_OF_ORDER_SAMPLE');
    await slow.commit();
    // x comes back with the slow transaction's point (as it did when series were objects); y keeps its own.
    expect(latestByName(st)).toEqual({ 'keep/a:1': [20_000, 0], 'x/a:1': [2000, 2], 'y/a:1': [20_000, 5] });
  });

  it('forgets what a transaction that lost a series to another one remembered, when the slot is reused', async () => {
    const st = new MemoryStorage({ retentionMs: 10_000 });
    const x = up('x');
    const y = up('y');
    await commitOne(st, (a) => a.append(0, x, 1000, 1));
    const first = st.appender();
    first.append(0, x, 2000, 2);
    // A second transaction appends to x too, taking it over; the first keeps its own newest point aside.
    await commitOne(st, (a) => a.append(0, x, 3000, 3));
    await commitOne(st, (a) => a.append(0, up('keep'), 20_000, 0));
    await commitOne(st, (a) => a.append(0, y, 20_000, 5));
    expect(st._columns.end).toBe(2);
    expect(codeOf(() => first.append(0, y, 15_000, 6))).toBe('SW_ERR_OUT_OF_ORDER_SAMPLE');
    await first.rollback();
    expect(latestByName(st)).toEqual({ 'keep/a:1': [20_000, 0], 'y/a:1': [20_000, 5] });
  });
});

describe('MemoryStorage rare series parts', () => {
  it('holds extras only for series that need them, and metadata once per object', async () => {
    const st = new MemoryStorage({ maxPointsPerSeries: 1, retentionMs: 10_000 });
    const cols = st._columns;
    const meta = { type: 'counter', help: 'h', unit: '' } as const;
    const s = (i: number) => up('a', String(i));
    await commitOne(st, (a) => {
      for (let i = 0; i < 10; i++) {
        a.append(0, s(i), 1000, i);
        a.updateMetadata(0, s(i), meta);
      }
    });
    expect([cols.extrasHeld, cols.metadataHeld]).toEqual([0, 1]);
    await commitOne(st, (a) => {
      a.appendStale(0, s(0), 2000);
      a.appendHistogram(0, s(1), 2000, intHistogram());
      a.appendExemplar(0, s(2), { labels: Labels.from({ trace_id: 't' }), value: 1, timestampMs: 2000 });
    });
    expect(cols.extrasHeld).toBe(3);
    // Float points replace the staleness marker and the histogram, whose extras go; the exemplar stays.
    await commitOne(st, (a) => {
      a.append(0, s(0), 3000, 0);
      a.append(0, s(1), 3000, 1);
    });
    expect(cols.extrasHeld).toBe(1);
    expect(st.exemplars([]).map((e) => e.labels.get('instance'))).toEqual(['2']);
    const meta2 = { type: 'gauge', help: 'h2', unit: '' } as const;
    await commitOne(st, (a) => a.updateMetadata(0, s(0), meta2));
    expect(cols.metadataHeld).toBe(2);
    expect(st.metadata(s(0))).toBe(meta2);
    expect(st.metadata(s(1))).toBe(meta);
    await commitOne(st, (a) => a.updateMetadata(0, s(0), meta));
    expect(cols.metadataHeld).toBe(1);
    // 20 s on, every one of them leaves the window, exemplar included: their extras and metadata go too.
    await commitOne(st, (a) => a.append(0, up('b'), 20_000, 1));
    expect(st.series().map((l) => l.get('job'))).toEqual(['b']);
    expect([cols.extrasHeld, cols.metadataHeld]).toEqual([0, 0]);
    expect(st.metadata(s(0))).toBeUndefined();
  });

  it('drops the history of a series once retention has trimmed it to its newest point', async () => {
    const st = new MemoryStorage({ retentionMs: 10_000 });
    const x = up('x');
    await commitOne(st, (a) => {
      a.append(0, x, 1000, 1);
      a.append(0, x, 2000, 2);
    });
    expect(st._columns.extrasHeld).toBe(1);
    await commitOne(st, (a) => a.append(0, x, 15_000, 15));
    expect(st.range([], 0, 100_000)[0]!.samples.map((p) => p.value)).toEqual([15]);
    expect(st._columns.extrasHeld).toBe(0);
  });
});

describe('MemoryStorage column growth and compaction', () => {
  it('grows its columns past their initial size, keeping refs and values', async () => {
    const st = new MemoryStorage({ maxPointsPerSeries: 1 });
    const n = 5000;
    const labels = Array.from({ length: n }, (_, i) => up('g', String(i)));
    // In transactions of 100, so the columns grow under series that already hold a point.
    const first: number[] = [];
    for (let from = 0; from < n; from += 100) {
      first.push(
        ...(await commitOne(st, (a) =>
          labels.slice(from, from + 100).map((l, j) => a.append(0, l, 1000, from + j)),
        )),
      );
    }
    let got = latestByName(st);
    for (let i = 0; i < n; i++) expect(got[`g/${i}`]).toEqual([1000, i]);
    const second = await commitOne(st, (a) => labels.map((l, i) => a.append(first[i]!, l, 2000, 2 * i)));
    expect(second).toEqual(first);
    expect(st._columns.capacity).toBeGreaterThanOrEqual(n);
    expect(st._columns.capacity).toBeLessThan(n * 1.25);
    got = latestByName(st);
    for (let i = 0; i < n; i++) expect(got[`g/${i}`]).toEqual([2000, 2 * i]);
  });

  it('keeps the order checks of a transaction that stays open while the columns grow', async () => {
    const st = new MemoryStorage({ maxPointsPerSeries: 1 });
    const x = up('x');
    await commitOne(st, (a) => {
      a.append(0, up('other'), 1000, 0);
      a.append(0, x, 1000, 1);
    });
    const open = st.appender();
    // x's pending point is the second one: an index of 0 would read other's point instead.
    open.append(0, up('other'), 1200, 0);
    open.append(0, x, 2000, 2);
    await commitOne(st, (a) => {
      for (let i = 0; i < 5000; i++) a.append(0, up('g', String(i)), 1000, i);
    });
    expect(codeOf(() => open.append(0, x, 1500, 3))).toBe('SW_ERR_OUT_OF_ORDER_SAMPLE');
    await open.commit();
    expect(latestByName(st)['x/a:1']).toEqual([2000, 2]);
  });

  it('compacts its columns when most series are gone, keeping refs and open transactions valid', async () => {
    const st = new MemoryStorage({ retentionMs: 10_000 });
    const cols = st._columns;
    const keep = up('keep');
    const refs = await commitOne(st, (a) => {
      for (let i = 0; i < 5000; i++) a.append(0, up('gone', String(i)), 1000, i);
      return [a.append(0, keep, 9000, 9), a.append(0, up('keep2'), 9000, 9)];
    });
    const keepRef = refs[0]!;
    const wide = cols.capacity;
    const open = st.appender();
    open.append(keepRef, keep, 10_000, 10);
    // At 12 s the window starts at 2 s: the 5000 series at 1 s go, and the two left move down.
    await commitOne(st, (a) => a.append(0, up('keep2'), 12_000, 12));
    expect([cols.end, cols.live]).toEqual([2, 2]);
    expect(cols.capacity).toBeLessThan(wide);
    // The open transaction still knows its pending point for keep, and keep's ref still finds it
    // without hashing its labels.
    expect(codeOf(() => open.append(keepRef, keep, 9500, 0))).toBe('SW_ERR_OUT_OF_ORDER_SAMPLE');
    const hashOf = Labels.prototype.hash32;
    let hashed = 0;
    Labels.prototype.hash32 = function (this: Labels) {
      hashed++;
      return hashOf.call(this);
    };
    try {
      expect(open.append(keepRef, keep, 11_000, 11)).toBe(keepRef);
    } finally {
      Labels.prototype.hash32 = hashOf;
    }
    expect(hashed).toBe(0);
    await open.commit();
    expect(latestByName(st)).toEqual({ 'keep/a:1': [11_000, 11], 'keep2/a:1': [12_000, 12] });
    expect(st.range([{ name: 'job', type: '=', value: 'keep' }], 0, 100_000)[0]!.samples.length).toBe(3);
    // Series found by labels after the move.
    const again = st.appender();
    expect(again.append(0, up('keep2'), 13_000, 13)).toBe(refs[1]);
    await again.commit();
  });
});
