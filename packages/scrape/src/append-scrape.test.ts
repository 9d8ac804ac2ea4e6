import { Labels } from '@scrapewire/model';
import { describe, expect, it, vi } from 'vitest';
import { RecordingAppendable, StorageError } from '../test/helpers.js';
import { type AppendOptions, appendScrape, appendStaleMarkers } from './append-scrape.js';
import { noopScrapeMetrics } from './metrics.js';
import { defaultParserFactory } from './parser-factory.js';
import { attachTargetLabels } from './sample-labels.js';
import { ScrapeCache } from './scrape-cache.js';

const enc = new TextEncoder();
const target = Labels.from({ job: 'node', instance: 'h:9100' });

function opts(over: Partial<AppendOptions> = {}): AppendOptions {
  return {
    cache: new ScrapeCache(),
    mutate: (l) => attachTargetLabels(l, target, false),
    honorTimestamps: true,
    trackTimestampsStaleness: false,
    sampleLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    validationScheme: 'utf8',
    metrics: noopScrapeMetrics,
    url: 'http://h:9100/metrics',
    ...over,
  };
}

/** Runs one scrape of `body` through the append step and commits it, as the loop does on success. */
async function scrape(store: RecordingAppendable, o: AppendOptions, body: string, ts: number) {
  const app = store.appender();
  const r = appendScrape(
    defaultParserFactory(enc.encode(body), 'text/plain; version=0.0.4', undefined),
    app,
    ts,
    o,
  );
  if (r.error) await app.rollback();
  else {
    appendStaleMarkers(o.cache, app, ts);
    await app.commit();
  }
  o.cache.iterDone(r.error === undefined);
  return r;
}

describe('appendScrape', () => {
  it('appends samples with target labels and reuses the cache for known series', async () => {
    const store = new RecordingAppendable();
    const mutate = vi.fn((l: Labels) => attachTargetLabels(l, target, false));
    const o = opts({ mutate });
    const body = '# TYPE a counter\na{x="1"} 1\nb 2\n';
    const r1 = await scrape(store, o, body, 1000);
    expect(r1).toMatchObject({ total: 2, added: 2, seriesAdded: 2, error: undefined });
    const r2 = await scrape(store, o, body, 2000);
    expect(r2).toMatchObject({ total: 2, added: 2, seriesAdded: 0 });
    expect(mutate).toHaveBeenCalledTimes(2);
    expect(store.values('{__name__="a", instance="h:9100", job="node", x="1"}')).toEqual([1, 1]);
    expect(o.cache.metadata.get('a')?.type).toBe('counter');
  });

  it('moves conflicting scraped labels to exported_* unless honor_labels', async () => {
    const store = new RecordingAppendable();
    await scrape(store, opts(), 'm{job="a",instance="i"} 1\n', 1000);
    expect(store.committed[0]!.series).toBe(
      '{__name__="m", exported_instance="i", exported_job="a", instance="h:9100", job="node"}',
    );
    const honored = new RecordingAppendable();
    await scrape(
      honored,
      opts({ mutate: (l) => attachTargetLabels(l, target, true) }),
      'm{job="a"} 1\n',
      1000,
    );
    expect(honored.committed[0]!.series).toBe('{__name__="m", instance="h:9100", job="a"}');
  });

  it('prefixes exported_ again when the exported name is taken', () => {
    const out = attachTargetLabels(
      Labels.from({ job: 'a', exported_job: 'b' }),
      Labels.from({ job: 'c' }),
      false,
    );
    expect(out.toObject()).toEqual({ job: 'c', exported_job: 'b', exported_exported_job: 'a' });
  });

  it('caches series dropped by metric relabeling and skips them', async () => {
    const store = new RecordingAppendable();
    const mutate = vi.fn((l: Labels) => (l.get('__name__') === 'drop_me' ? undefined : l));
    const o = opts({ mutate });
    const r = await scrape(store, o, 'drop_me 1\nkeep 2\n', 1000);
    expect(r).toMatchObject({ total: 2, added: 1 });
    await scrape(store, o, 'drop_me 1\nkeep 2\n', 2000);
    expect(mutate).toHaveBeenCalledTimes(2);
    expect(store.byName('drop_me')).toEqual([]);
  });

  it('fails with sample limit exceeded after counting the whole body', async () => {
    const store = new RecordingAppendable();
    const r = await scrape(store, opts({ sampleLimit: 2 }), 'a 1\nb 1\nc 1\nd 1\n', 1000);
    expect(r.error?.code).toBe('SW_ERR_SAMPLE_LIMIT');
    expect(r.error?.message).toBe('sample limit exceeded');
    expect(r).toMatchObject({ total: 4, added: 4 });
    expect(store.committed).toEqual([]);
    expect(store.rollbacks).toBe(1);
  });

  it('enforces label limits on new series with Prometheus wording', async () => {
    const store = new RecordingAppendable();
    const r = await scrape(store, opts({ labelLimit: 3 }), 'm{a="1",b="2"} 1\n', 1000);
    expect(r.error?.code).toBe('SW_ERR_LABEL_LIMIT');
    expect(r.error?.message).toBe('label_limit exceeded (metric: m, number of labels: 5, limit: 3)');
    const r2 = await scrape(store, opts({ labelValueLengthLimit: 3 }), 'm{a="long"} 1\n', 1000);
    expect(r2.error?.message).toBe(
      'label_value_length_limit exceeded (metric: m, label name: a, value: "long", length: 4, limit: 3)',
    );
    // `__name__` counts too (8 bytes), as in Prometheus.
    const r3 = await scrape(store, opts({ labelNameLengthLimit: 8 }), 'm{abcdefghi="1"} 1\n', 1000);
    expect(r3.error?.message).toBe(
      'label_name_length_limit exceeded (metric: m, label name: abcdefghi, length: 9, limit: 8)',
    );
  });

  it('reports a parse error as a failed scrape', async () => {
    const store = new RecordingAppendable();
    const r = await scrape(store, opts(), 'ok 1\nbad{ 1\n', 1000);
    expect(r.error?.code).toBe('SW_ERR_PARSE');
    expect(r.total).toBe(1);
    expect(store.committed).toEqual([]);
  });

  it('writes stale markers for series that vanish between scrapes', async () => {
    const store = new RecordingAppendable();
    const o = opts({ mutate: (l) => l });
    await scrape(store, o, 'a 1\nb 2\n', 1000);
    await scrape(store, o, 'a 1\n', 2000);
    await scrape(store, o, 'a 1\n', 3000);
    expect(store.values('{__name__="b"}')).toEqual([2, 'stale']);
    expect(store.committed.find((x) => x.value === 'stale')?.t).toBe(2000);
  });

  it('finds cached series by position first, and by text when the body changes order or content', async () => {
    const store = new RecordingAppendable();
    const mutate = vi.fn((l: Labels) => (l.get('__name__') === 'x' ? undefined : l));
    const o = opts({ mutate });
    await scrape(store, o, 'a 1\nx 9\nb 2\n', 1000);
    await scrape(store, o, 'a 3\nx 9\nb 4\n', 2000);
    // Reordered, one series gone, one new: every known series still hits the cache.
    await scrape(store, o, 'b 5\nc 6\na 7\nx 9\n', 3000);
    await scrape(store, o, 'b 8\nc 9\na 10\nx 9\n', 4000);
    expect(mutate.mock.calls.map(([l]) => l.get('__name__'))).toEqual(['a', 'x', 'b', 'c']);
    expect(store.values('{__name__="a"}')).toEqual([1, 3, 7, 10]);
    expect(store.values('{__name__="b"}')).toEqual([2, 4, 5, 8]);
    expect(store.values('{__name__="c"}')).toEqual([6, 9]);
    expect(store.values('{__name__="x"}')).toEqual([]);
    expect(o.cache.order.map((e) => e?.rawKey)).toEqual(['b', 'c', 'a', undefined]);
  });

  it('keeps metadata right when families change order between scrapes', async () => {
    const store = new RecordingAppendable();
    const o = opts({ mutate: (l) => l });
    await scrape(store, o, '# HELP a A.\n# TYPE a counter\na 1\n# HELP b B.\n# TYPE b gauge\nb 2\n', 1000);
    await scrape(store, o, '# HELP b B2.\n# TYPE b gauge\nb 2\n# HELP a A.\n# TYPE a summary\na 1\n', 2000);
    expect(o.cache.metadata.get('a')).toMatchObject({ name: 'a', type: 'summary', help: 'A.' });
    expect(o.cache.metadata.get('b')).toMatchObject({ name: 'b', type: 'gauge', help: 'B2.' });
    expect(o.cache.metadataOrder.map((m) => m?.name)).toEqual(['b', 'b', 'a', 'a']);
  });

  it('applies an unchanged metadata line again, since an earlier line may have changed its family', async () => {
    const store = new RecordingAppendable();
    const o = opts({ mutate: (l) => l });
    await scrape(store, o, '# HELP x A.\nx 1\n', 1000);
    await scrape(store, o, '# HELP x B.\n# HELP x A.\nx 1\n', 2000);
    expect(o.cache.metadata.get('x')?.help).toBe('A.');
    // Position 1 still holds "# HELP x A." from the last scrape: recognised, and applied after C.
    await scrape(store, o, '# HELP x C.\n# HELP x A.\nx 1\n', 3000);
    expect(o.cache.metadata.get('x')?.help).toBe('A.');
    await scrape(store, o, '# HELP x C.\n# TYPE x gauge\nx 1\n', 4000);
    expect(o.cache.metadata.get('x')).toMatchObject({ help: 'C.', type: 'gauge' });
    expect(o.cache.metadataLines).toEqual(['# HELP x C.', '# TYPE x gauge']);
  });

  it('tracks staleness by final labels: another raw spelling of a series keeps it alive', async () => {
    const store = new RecordingAppendable();
    const o = opts({ mutate: (l) => l });
    await scrape(store, o, 'a{x="1",y="2"} 1\nb 2\n', 1000);
    // The same series with its labels in another order, then the first spelling again, then neither.
    await scrape(store, o, 'a{y="2",x="1"} 3\nb 2\n', 2000);
    await scrape(store, o, 'a{x="1",y="2"} 4\nb 2\n', 3000);
    await scrape(store, o, 'b 2\n', 4000);
    await scrape(store, o, 'b 2\n', 5000);
    expect(store.values('{__name__="a", x="1", y="2"}')).toEqual([1, 3, 4, 'stale']);
    expect(store.committed.find((x) => x.value === 'stale')?.t).toBe(4000);
  });

  it('marks each vanished series once, however many spellings it had', async () => {
    const store = new RecordingAppendable();
    const o = opts({ mutate: (l) => l });
    await scrape(store, o, 'a{x="1",y="2"} 1\na{y="2",x="1"} 1\n', 1000);
    await scrape(store, o, 'c 1\n', 2000);
    expect(store.values('{__name__="a", x="1", y="2"}')).toEqual([1, 1, 'stale']);
  });

  it('forgets cached and dropped series that a successful scrape no longer exposes, and only those', async () => {
    const store = new RecordingAppendable();
    const o = opts({ mutate: (l) => (l.get('__name__').startsWith('x') ? undefined : l) });
    const sizes = () => [o.cache.series.size, o.cache.dropped.size, o.cache.byLabels.size];
    await scrape(store, o, 'a 1\nb 1\nx1 1\nx2 1\n', 1000);
    expect(sizes()).toEqual([2, 2, 2]);
    // Repeats (the same series twice, a dropped one twice) still count as one series seen each.
    await scrape(store, o, 'a 1\nb 1\nb 1\nx1 1\nx1 1\nx2 1\n', 2000);
    expect(sizes()).toEqual([2, 2, 2]);
    // A repeat must not stand in for the series that went away.
    await scrape(store, o, 'a 1\na 1\nx1 1\nx1 1\n', 3000);
    expect(sizes()).toEqual([1, 1, 1]);
    expect(o.cache.series.has('a') && o.cache.dropped.has('x1')).toBe(true);
    // A failed scrape forgets nothing.
    await scrape(store, o, 'c 1\nbroken{ 1\n', 4000);
    expect(o.cache.series.has('a')).toBe(true);
  });

  it('lets a fresh cache inherit a predecessor: only series that vanish across the handover go stale', async () => {
    const store = new RecordingAppendable();
    const before = opts({ mutate: (l) => l });
    await scrape(store, before, 'a 1\nb 2\n', 1000);
    const after = opts({ mutate: (l) => l });
    after.cache.inherit(before.cache);
    await scrape(store, after, 'a 1\n', 2000);
    expect(store.values('{__name__="a"}')).toEqual([1, 1]);
    expect(store.values('{__name__="b"}')).toEqual([2, 'stale']);
  });

  it('leaves series with explicit timestamps out of staleness unless track_timestamps_staleness', async () => {
    for (const track of [false, true]) {
      const store = new RecordingAppendable();
      const o = opts({ mutate: (l) => l, trackTimestampsStaleness: track });
      await scrape(store, o, 'a 1 500\n', 1000);
      await scrape(store, o, '', 2000);
      expect(store.values('{__name__="a"}')).toEqual(track ? [1, 'stale'] : [1]);
    }
  });

  it('ignores exposed timestamps when honor_timestamps is false', async () => {
    const store = new RecordingAppendable();
    await scrape(store, opts({ mutate: (l) => l, honorTimestamps: false }), 'a 1 500\n', 1000);
    expect(store.committed[0]!.t).toBe(1000);
  });

  it('counts storage rejections and duplicates and keeps going', async () => {
    const store = new RecordingAppendable();
    const metrics = {
      ...noopScrapeMetrics,
      addSampleOutOfOrder: vi.fn(),
      addSampleDuplicateTimestamp: vi.fn(),
    };
    store.reject = (s) =>
      s.includes('"ooo"') ? new StorageError('SW_ERR_OUT_OF_ORDER_SAMPLE', 'out of order sample') : undefined;
    const r = await scrape(store, opts({ mutate: (l) => l, metrics }), 'ooo 1\na 1\na 2\nb 3\n', 1000);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ total: 4, added: 4 });
    expect(metrics.addSampleOutOfOrder).toHaveBeenCalledWith(1);
    expect(metrics.addSampleDuplicateTimestamp).toHaveBeenCalledWith(1);
    expect(store.committed.map((x) => x.series)).toEqual(['{__name__="a"}', '{__name__="b"}']);
  });

  it('rejects series without a metric name and invalid legacy names', async () => {
    const store = new RecordingAppendable();
    const r = await scrape(
      store,
      opts({ mutate: (l) => l.builder().del('__name__').set('x', '1').labels() }),
      'a 1\n',
      1000,
    );
    expect(r.error?.message).toBe('missing metric name (__name__ label)');
    const r2 = await scrape(
      store,
      opts({ mutate: (l) => l.builder().set('bad-name', 'x').labels(), validationScheme: 'legacy' }),
      'a 1\n',
      1000,
    );
    expect(r2.error?.code).toBe('SW_ERR_INVALID_SERIES');
  });

  it('flushes cache entries not seen in a successful scrape', async () => {
    const store = new RecordingAppendable();
    const o = opts({ mutate: (l) => l });
    await scrape(store, o, 'a 1\nb 1\n', 1000);
    expect(o.cache.series.size).toBe(2);
    await scrape(store, o, 'a 1\n', 2000);
    expect(o.cache.series.size).toBe(1);
  });
});
