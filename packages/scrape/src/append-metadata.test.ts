import { Labels } from '@scrapewire/model';
import { describe, expect, it } from 'vitest';
import { RecordingAppendable } from '../test/helpers.js';
import { type AppendOptions, appendScrape, appendStaleMarkers } from './append-scrape.js';
import { noopScrapeMetrics } from './metrics.js';
import { defaultParserFactory } from './parser-factory.js';
import { attachTargetLabels } from './sample-labels.js';
import { ScrapeCache } from './scrape-cache.js';

/* Metadata from HELP/TYPE/UNIT lines reaching the appender through updateMetadata (append step). */

const enc = new TextEncoder();
const target = Labels.from({ job: 'node', instance: 'h:9100' });
const PROM = 'text/plain; version=0.0.4';
const OM = 'application/openmetrics-text; version=1.0.0';

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

/** One scrape as the loop does it: commit on success; on failure roll back and forget the metadata. */
async function scrape(store: RecordingAppendable, o: AppendOptions, body: string, ts: number, ct = PROM) {
  const app = store.appender();
  const r = appendScrape(defaultParserFactory(enc.encode(body), ct, undefined), app, ts, o);
  if (r.error) {
    await app.rollback();
    o.cache.metadataNotStored();
  } else {
    appendStaleMarkers(o.cache, app, ts);
    await app.commit();
  }
  o.cache.iterDone(r.error === undefined);
  return r;
}

const series = (name: string, extra: Record<string, string> = {}) =>
  Labels.from({ __name__: name, instance: 'h:9100', job: 'node', ...extra }).toString();

/** Committed metadata as `series → "type|help|unit"`, in call order. */
const reported = (store: RecordingAppendable, from = 0) =>
  store.metadata
    .slice(from)
    .map((m) => [m.series, `${m.metadata.type}|${m.metadata.help}|${m.metadata.unit}`]);

const BODY = [
  '# HELP req_total Requests served.',
  '# TYPE req_total counter',
  'req_total{code="200"} 10',
  'req_total{code="500"} 1',
  '# TYPE temp gauge',
  'temp 21.5',
  '',
].join('\n');

describe('appendScrape metadata', () => {
  it('reports each series once on the first scrape and not again while unchanged', async () => {
    const store = new RecordingAppendable();
    const o = opts();
    await scrape(store, o, BODY, 1000);
    expect(reported(store)).toEqual([
      [series('req_total', { code: '200' }), 'counter|Requests served.|'],
      [series('req_total', { code: '500' }), 'counter|Requests served.|'],
      [series('temp'), 'gauge||'],
    ]);
    // Series of one family share one frozen snapshot: storages may keep it.
    expect(store.metadata[0]!.metadata).toBe(store.metadata[1]!.metadata);
    expect(Object.isFrozen(store.metadata[0]!.metadata)).toBe(true);

    await scrape(store, o, BODY, 2000);
    await scrape(store, o, BODY, 3000);
    expect(store.metadata).toHaveLength(3);
  });

  it('reports again for every series of a family whose HELP, TYPE or UNIT changed', async () => {
    const store = new RecordingAppendable();
    const o = opts();
    await scrape(store, o, BODY, 1000);
    await scrape(store, o, BODY.replace('Requests served.', 'HTTP requests served.'), 2000);
    expect(reported(store, 3)).toEqual([
      [series('req_total', { code: '200' }), 'counter|HTTP requests served.|'],
      [series('req_total', { code: '500' }), 'counter|HTTP requests served.|'],
    ]);
    await scrape(
      store,
      o,
      BODY.replace('HELP req_total Requests served.', 'HELP req_total HTTP requests served.'),
      3000,
    );
    expect(store.metadata).toHaveLength(5);
    await scrape(store, o, BODY.replace('# TYPE temp gauge', '# TYPE temp untyped'), 4000);
    // Back to the first HELP (a change again), and temp's type changed.
    expect(reported(store, 5)).toEqual([
      [series('req_total', { code: '200' }), 'counter|Requests served.|'],
      [series('req_total', { code: '500' }), 'counter|Requests served.|'],
      [series('temp'), 'unknown||'],
    ]);
  });

  it('shares one metadata snapshot between targets that expose the same family', async () => {
    const a = opts();
    const b = opts();
    await scrape(new RecordingAppendable(), a, BODY, 1000);
    await scrape(new RecordingAppendable(), b, BODY, 1000);
    const snapA = a.cache.metadata.get('req_total')?.snapshot;
    expect(snapA).toEqual({ type: 'counter', help: 'Requests served.', unit: '' });
    expect(Object.isFrozen(snapA)).toBe(true);
    expect(b.cache.metadata.get('req_total')?.snapshot).toBe(snapA);
    const c = opts();
    await scrape(new RecordingAppendable(), c, BODY.replace('Requests served.', 'Other.'), 1000);
    expect(c.cache.metadata.get('req_total')?.snapshot).not.toBe(snapA);
  });

  it('reports a series that first appears in a later scrape', async () => {
    const store = new RecordingAppendable();
    const o = opts();
    await scrape(store, o, BODY, 1000);
    await scrape(
      store,
      o,
      BODY.replace('temp 21.5', 'temp 21.5\n').replace(
        'req_total{code="500"} 1',
        'req_total{code="500"} 1\nreq_total{code="404"} 3',
      ),
      2000,
    );
    expect(reported(store, 3)).toEqual([[series('req_total', { code: '404' }), 'counter|Requests served.|']]);
  });

  it('gives nothing to series dropped or renamed by metric relabeling', async () => {
    const store = new RecordingAppendable();
    const o = opts({
      mutate: (l) => {
        if (l.get('code') === '500') return undefined;
        const out = attachTargetLabels(l, target, false);
        return l.get('__name__') === 'temp' ? out.builder().set('__name__', 'temperature').labels() : out;
      },
    });
    await scrape(store, o, BODY, 1000);
    await scrape(store, o, BODY, 2000);
    // temp renamed to temperature no longer belongs to family temp (as in Prometheus).
    expect(reported(store)).toEqual([[series('req_total', { code: '200' }), 'counter|Requests served.|']]);
    expect(store.committed.map((r) => r.series)).toContain(series('temperature'));
  });

  it('writes nothing for a failed scrape and reports on the next successful one', async () => {
    const store = new RecordingAppendable();
    const o = opts({ sampleLimit: 2 });
    const r = await scrape(store, o, BODY, 1000);
    expect(r.error?.code).toBe('SW_ERR_SAMPLE_LIMIT');
    expect(store.metadata).toEqual([]);
    // A parse error after the first samples: the reports made before it are rolled back as well.
    const bad = await scrape(store, opts({ cache: o.cache }), `${BODY}temp{ 1\n`, 2000);
    expect(bad.error?.code).toBe('SW_ERR_PARSE');
    expect(store.metadata).toEqual([]);
    await scrape(store, opts({ cache: o.cache }), BODY, 3000);
    expect(reported(store).map(([s]) => s)).toEqual([
      series('req_total', { code: '200' }),
      series('req_total', { code: '500' }),
      series('temp'),
    ]);
  });

  it('maps histogram, summary and counter samples to their families and skips series of no family', async () => {
    const store = new RecordingAppendable();
    const o = opts();
    const body = [
      '# HELP lat Latency.',
      '# TYPE lat histogram',
      'lat_bucket{le="0.1"} 1',
      'lat_bucket{le="+Inf"} 2',
      'lat_sum 0.3',
      'lat_count 2',
      '# TYPE rpc summary',
      'rpc{quantile="0.5"} 0.01',
      'rpc_sum 1',
      'rpc_count 3',
      '# TYPE up_total counter',
      'up_total 4',
      '# TYPE g gauge',
      'g 1',
      'stray_total 5',
      '',
    ].join('\n');
    await scrape(store, o, body, 1000);
    expect(reported(store)).toEqual([
      [series('lat_bucket', { le: '0.1' }), 'histogram|Latency.|'],
      [series('lat_bucket', { le: '+Inf' }), 'histogram|Latency.|'],
      [series('lat_sum'), 'histogram|Latency.|'],
      [series('lat_count'), 'histogram|Latency.|'],
      [series('rpc', { quantile: '0.5' }), 'summary||'],
      [series('rpc_sum'), 'summary||'],
      [series('rpc_count'), 'summary||'],
      [series('up_total'), 'counter||'],
      [series('g'), 'gauge||'],
    ]);
    // stray_total follows family g but is not part of it; checking it again is not repeated either.
    await scrape(store, o, body, 2000);
    expect(store.metadata).toHaveLength(9);
  });

  it('carries the OpenMetrics unit, and _created lines belong to their family', async () => {
    const store = new RecordingAppendable();
    const o = opts();
    const body = [
      '# TYPE rpc_duration_seconds summary',
      '# UNIT rpc_duration_seconds seconds',
      '# HELP rpc_duration_seconds RPC latency.',
      'rpc_duration_seconds_sum 2.5',
      'rpc_duration_seconds_count 7',
      'rpc_duration_seconds_created 1700000000',
      '# TYPE build info',
      'build_info{version="1.2"} 1',
      '# EOF',
      '',
    ].join('\n');
    const r = await scrape(store, o, body, 1000, OM);
    expect(r.error).toBeUndefined();
    expect(reported(store)).toEqual([
      [series('rpc_duration_seconds_sum'), 'summary|RPC latency.|seconds'],
      [series('rpc_duration_seconds_count'), 'summary|RPC latency.|seconds'],
      [series('rpc_duration_seconds_created'), 'summary|RPC latency.|seconds'],
      [series('build_info', { version: '1.2' }), 'info||'],
    ]);
  });

  it('does not report samples the storage rejected', async () => {
    const { StorageError } = await import('../test/helpers.js');
    const store = new RecordingAppendable();
    store.reject = (s) =>
      s.includes('temp') ? new StorageError('SW_ERR_OUT_OF_ORDER_SAMPLE', 'ooo') : undefined;
    const o = opts();
    await scrape(store, o, BODY, 1000);
    expect(reported(store).map(([s]) => s)).not.toContain(series('temp'));
    store.reject = undefined;
    await scrape(store, o, BODY, 2000);
    expect(reported(store, 2)).toEqual([[series('temp'), 'gauge||']]);
  });
});
