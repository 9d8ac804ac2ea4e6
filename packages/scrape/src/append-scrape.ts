import type { Labels } from '@scrapewire/model';
import type { Appender, Metadata, MetricType } from '@scrapewire/storage';
import { StorageError } from '@scrapewire/storage';
import { ScrapeError } from './errors.js';
import { pooledMetadata, pooledString } from './metadata-pool.js';
import { pooledSeriesKey } from './series-key-pool.js';
import { belongsToFamily } from './metric-family.js';
import type { ScrapeMetrics } from './metrics.js';
import { type CacheEntry, type MetadataEntry, newCacheEntry, type ScrapeCache } from './scrape-cache.js';
import { EntryKind, type ExpositionParser } from './textparse/parser.js';

/** Everything the append step needs besides the parser and the appender. */
export interface AppendOptions {
  readonly cache: ScrapeCache;
  /** Target labels + honor_labels + metric_relabel_configs; `undefined` drops the series. */
  readonly mutate: (scraped: Labels) => Labels | undefined;
  readonly honorTimestamps: boolean;
  readonly trackTimestampsStaleness: boolean;
  /** 0 = no limit. */
  readonly sampleLimit: number;
  readonly labelLimit: number;
  readonly labelNameLengthLimit: number;
  readonly labelValueLengthLimit: number;
  readonly validationScheme: 'utf8' | 'legacy';
  readonly metrics: ScrapeMetrics;
  readonly url: string;
  /**
   * @internal Benchmarks only: redo label parsing, relabeling and validation on every cache hit, to
   * measure what the scrape cache saves.
   */
  readonly bypassCache?: boolean;
}

/** What one append pass produced. */
export interface AppendResult {
  /** Samples in the body (`scrape_samples_scraped`). */
  total: number;
  /** Samples left after metric relabeling (`scrape_samples_post_metric_relabeling`). */
  added: number;
  /** New series appended (`scrape_series_added`). */
  seriesAdded: number;
  /** Set when the scrape must fail (parse error, limits, invalid series, fatal storage error). */
  error: ScrapeError | undefined;
}

/** Samples more than this far in the future are out of bounds, as in Prometheus's appender guard. */
const MAX_AHEAD_MS = 10 * 60 * 1000;
const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const utf8Len = (s: string): number => Buffer.byteLength(s, 'utf8');
const trunc = (s: string): string => (s.length > 50 ? s.slice(0, 50) : s);

/** Checks a new series as Prometheus does after relabeling; returns the error that fails the scrape. */
function checkSeries(lset: Labels, o: AppendOptions): ScrapeError | undefined {
  const name = lset.get('__name__');
  if (name === '') {
    return new ScrapeError('SW_ERR_INVALID_SERIES', 'missing metric name (__name__ label)', o.url);
  }
  let valid = true;
  if (o.validationScheme === 'legacy') {
    if (!LEGACY_METRIC.test(name)) valid = false;
    lset.forEach((n) => {
      if (n !== '__name__' && !LEGACY_LABEL.test(n)) valid = false;
    });
  } else {
    lset.forEach((n) => {
      if (n === '' || LONE_SURROGATE.test(n)) valid = false;
    });
  }
  if (!valid) {
    return new ScrapeError(
      'SW_ERR_INVALID_SERIES',
      `invalid metric name or label names: ${lset.toString()}`,
      o.url,
    );
  }
  if (o.labelLimit > 0 && lset.size > o.labelLimit) {
    o.metrics.incExceededLabelLimits();
    return new ScrapeError(
      'SW_ERR_LABEL_LIMIT',
      `label_limit exceeded (metric: ${trunc(name)}, number of labels: ${lset.size}, limit: ${o.labelLimit})`,
      o.url,
    );
  }
  if (o.labelNameLengthLimit > 0 || o.labelValueLengthLimit > 0) {
    let err: ScrapeError | undefined;
    lset.forEach((n, v) => {
      if (err) return;
      const nl = utf8Len(n);
      if (o.labelNameLengthLimit > 0 && nl > o.labelNameLengthLimit) {
        err = new ScrapeError(
          'SW_ERR_LABEL_LIMIT',
          `label_name_length_limit exceeded (metric: ${trunc(name)}, label name: ${trunc(n)}, length: ${nl}, limit: ${o.labelNameLengthLimit})`,
          o.url,
        );
        return;
      }
      const vl = utf8Len(v);
      if (o.labelValueLengthLimit > 0 && vl > o.labelValueLengthLimit) {
        err = new ScrapeError(
          'SW_ERR_LABEL_LIMIT',
          `label_value_length_limit exceeded (metric: ${trunc(name)}, label name: ${trunc(n)}, value: ${JSON.stringify(trunc(v))}, length: ${vl}, limit: ${o.labelValueLengthLimit})`,
          o.url,
        );
      }
    });
    if (err) {
      o.metrics.incExceededLabelLimits();
      return err;
    }
  }
  return undefined;
}

/**
 * Appends one scrape's samples (Prometheus's `scrapeLoop.append`, §3.11 of the reference): metadata to the
 * cache; per sample the cache lookup by raw series text, target labels and metric relabeling on a miss,
 * validation and label limits for new series, the in-scrape duplicate check, `sample_limit`, the
 * future-time guard, and per-sample storage rejections counted and skipped. Records every appended series
 * as seen in the current scrape for staleness (explicit-timestamp series only with
 * `track_timestamps_staleness`).
 *
 * Metadata reaches storage through `Appender.updateMetadata` for each appended series whose family
 * metadata it has not reported yet or that changed since (new series, changed HELP/TYPE/UNIT, a flushed
 * and re-exposed family). The family is the one of the last HELP/TYPE/UNIT line before the sample, if
 * the series' final name belongs to it ({@link belongsToFamily}), as in Prometheus. Reported series are
 * listed in `cache.metaReported`, so the loop can forget the reports if the transaction does not commit.
 *
 * Does not commit, roll back or write stale markers: the loop does that depending on `error`.
 */
export function appendScrape(
  parser: ExpositionParser,
  app: Appender,
  scrapeTimeMs: number,
  o: AppendOptions,
): AppendResult {
  const cache = o.cache;
  const iter = cache.iter;
  const stamp = cache.stamp;
  const cur = cache.cur;
  const res: AppendResult = { total: 0, added: 0, seriesAdded: 0, error: undefined };
  let appended = 0;
  let sampleLimitErr = false;
  let outOfOrder = 0;
  let duplicate = 0;
  let outOfBounds = 0;
  const maxTs = scrapeTimeMs + MAX_AHEAD_MS;
  // The family of the last metadata line, which the following samples usually belong to.
  let lastMeta: MetadataEntry | undefined;
  let lastFamily = '';
  // Positions of the current sample and metadata line, for the positional cache orders.
  const order = cache.order;
  const metaOrder = cache.metadataOrder;
  const metaLines = cache.metadataLines;
  const metaValues = cache.metadataValues;
  let pos = 0;
  let metaPos = 0;
  try {
    for (;;) {
      const kind = parser.next();
      if (kind === EntryKind.End) break;
      if (kind !== EntryKind.Series) {
        if (kind === EntryKind.Comment) continue;
        const at = metaPos++;
        const known = metaOrder[at];
        if (known !== undefined && parser.metadataLineIs?.(metaLines[at]!) === true) {
          // The same line at the same place as last time: what it says is known, without decoding it.
          // It is applied again, as an earlier line of this body may have changed the family since.
          known.lastIter = iter;
          setMetadata(known, kind, metaValues[at]!);
          lastMeta = known;
          lastFamily = known.name;
          continue;
        }
        let value: string;
        if (kind === EntryKind.Type) {
          const t = parser.type();
          lastFamily = t.metricName;
          value = t.type;
        } else if (kind === EntryKind.Help) {
          const h = parser.help();
          lastFamily = h.metricName;
          value = h.text;
        } else {
          const u = parser.unit();
          lastFamily = u.metricName;
          value = u.unit;
        }
        lastMeta = metadataFor(cache, lastFamily, iter, at);
        value = pooledString(value);
        setMetadata(lastMeta, kind, value);
        metaLines[at] = pooledString(parser.metadataLine?.() ?? '');
        metaValues[at] = value;
        continue;
      }
      res.total++;
      const exposedTs = parser.timestampMs();
      const t = o.honorTimestamps && exposedTs !== undefined ? exposedTs : scrapeTimeMs;
      const key = parser.seriesKey();
      // Known series first: usually the entry at the same position as last time, else one map lookup.
      const at = pos++;
      let entry = order[at];
      if (entry === undefined || entry.rawKey !== key) {
        entry = cache.series.get(key);
        order[at] = entry;
      }
      let isNew = false;
      if (entry === undefined) {
        const droppedAt = cache.dropped.get(key);
        if (droppedAt !== undefined) {
          if (droppedAt !== iter) {
            cache.dropped.set(key, iter);
            cache.seenDropped++;
          }
          continue;
        }
        const final = o.mutate(parser.labels());
        if (final === undefined || final.isEmpty) {
          cache.dropped.set(pooledSeriesKey(parser), iter);
          cache.seenDropped++;
          continue;
        }
        const err = checkSeries(final, o);
        if (err) {
          res.error = err;
          return res;
        }
        entry = newCacheEntry(final, -1);
        isNew = true;
      } else if (o.bypassCache && o.mutate(parser.labels()) === undefined) {
        continue;
      } else if (entry.lastIter === iter && exposedTs === undefined) {
        // The same series twice in one body without timestamps: Prometheus counts a duplicate.
        res.added++;
        duplicate++;
        continue;
      }
      res.added++;
      if (o.sampleLimit > 0 && appended >= o.sampleLimit) {
        // Keep counting the body's samples, as Prometheus does, but store nothing more.
        sampleLimitErr = true;
        continue;
      }
      if (t > maxTs) {
        outOfBounds++;
        continue;
      }
      try {
        entry.ref = app.append(entry.ref, entry.labels, t, parser.value());
      } catch (e) {
        if (e instanceof StorageError) {
          if (e.code === 'SW_ERR_OUT_OF_ORDER_SAMPLE') outOfOrder++;
          else if (e.code === 'SW_ERR_DUPLICATE_SAMPLE_FOR_TIMESTAMP') duplicate++;
          else if (e.code === 'SW_ERR_OUT_OF_BOUNDS' || e.code === 'SW_ERR_TOO_OLD_SAMPLE') outOfBounds++;
          else {
            res.error = new ScrapeError('SW_ERR_APPEND', e.message, o.url, { cause: e });
            return res;
          }
          // (A new entry is not cached when its first sample fails, so it is not counted as seen.)
          if (!isNew && entry.lastIter !== iter) cache.seenSeries++;
          entry.lastIter = iter;
          continue;
        }
        res.error = new ScrapeError('SW_ERR_APPEND', (e as Error)?.message ?? String(e), o.url, { cause: e });
        return res;
      }
      appended++;
      if (entry.lastIter !== iter) cache.seenSeries++;
      entry.lastIter = iter;
      if (isNew) {
        entry.rawKey = pooledSeriesKey(parser);
        cache.series.set(entry.rawKey, entry);
        order[at] = entry;
        const known = cache.byLabels.get(entry.labels);
        if (known === undefined) cache.byLabels.set(entry.labels, entry);
        else entry.canonical = known;
        if (!sampleLimitErr) res.seriesAdded++;
      }
      if (exposedTs === undefined || o.trackTimestampsStaleness) {
        // Seen in this scrape: its canonical entry is stamped and listed once (see ScrapeCache.cur).
        const c = entry.canonical;
        if (c.stamp !== stamp) {
          c.stamp = stamp;
          cur.push(c);
        }
      }
      // Unchanged metadata of a known series costs one identity comparison and allocates nothing.
      if (lastMeta !== undefined && entry.meta !== (lastMeta.snapshot ?? snapshotOf(lastMeta))) {
        reportMetadata(app, cache, entry, lastFamily, lastMeta);
      }
      const ex = parser.exemplar();
      if (ex !== undefined) {
        try {
          app.appendExemplar(
            entry.ref,
            entry.labels,
            ex.timestampMs === undefined ? { ...ex, timestampMs: t } : ex,
          );
        } catch {
          // Exemplar rejections never fail a scrape.
        }
      }
    }
  } catch (e) {
    const err = e as { code?: string; message?: string };
    res.error =
      err.code === 'SW_ERR_PARSE'
        ? new ScrapeError('SW_ERR_PARSE', err.message ?? 'parse error', o.url, { cause: e })
        : new ScrapeError('SW_ERR_PARSE', err.message ?? String(e), o.url, { cause: e });
    return res;
  } finally {
    if (order.length > pos) order.length = pos;
    if (metaOrder.length > metaPos) {
      metaOrder.length = metaPos;
      metaLines.length = metaPos;
      metaValues.length = metaPos;
    }
    if (outOfOrder > 0) o.metrics.addSampleOutOfOrder(outOfOrder);
    if (duplicate > 0) o.metrics.addSampleDuplicateTimestamp(duplicate);
    if (outOfBounds > 0) o.metrics.addSampleOutOfBounds(outOfBounds);
  }
  if (sampleLimitErr) {
    o.metrics.incExceededSampleLimit();
    res.error = new ScrapeError('SW_ERR_SAMPLE_LIMIT', 'sample limit exceeded', o.url);
  }
  return res;
}

/**
 * Hands a series' family metadata to storage, if the series belongs to the family, and remembers the
 * snapshot either way, so the check is not repeated until the family changes. Metadata errors never fail
 * a scrape (as in Prometheus).
 */
function reportMetadata(
  app: Appender,
  cache: ScrapeCache,
  entry: CacheEntry,
  family: string,
  meta: MetadataEntry,
): void {
  const snap = meta.snapshot ?? snapshotOf(meta);
  entry.meta = snap;
  if (!belongsToFamily(entry.labels.get('__name__'), family, meta.type)) return;
  try {
    const ref = app.updateMetadata(entry.ref, entry.labels, snap);
    if (ref !== 0) entry.ref = ref;
  } catch {
    // Not retried until the metadata changes: a storage that rejects it would reject it every scrape.
    return;
  }
  cache.metaReported.push(entry);
}

function snapshotOf(m: MetadataEntry): Metadata {
  const snap = pooledMetadata(m.type, m.help, m.unit);
  m.snapshot = snap;
  return snap;
}

/** Sets what a HELP, TYPE or UNIT line says (`value`: the text, type or unit), noting a change. */
function setMetadata(m: MetadataEntry, kind: EntryKind, value: string): void {
  if (kind === EntryKind.Help) {
    if (m.help === value) return;
    m.help = value;
  } else if (kind === EntryKind.Type) {
    if (m.type === value) return;
    m.type = value as MetricType;
  } else {
    if (m.unit === value) return;
    m.unit = value;
  }
  m.snapshot = undefined;
}

/** The family's metadata entry, tried first at the same position as in the last scrape (see `order`). */
function metadataFor(cache: ScrapeCache, name: string, iter: number, pos: number): MetadataEntry {
  const order = cache.metadataOrder;
  let m = order[pos];
  if (m === undefined || m.name !== name) {
    m = cache.metadata.get(name);
    if (m === undefined) {
      const owned = pooledString(name);
      m = { name: owned, type: 'unknown', help: '', unit: '', lastIter: iter, snapshot: undefined };
      cache.metadata.set(owned, m);
    }
    order[pos] = m;
  }
  m.lastIter = iter;
  return m;
}

/** Appends staleness markers for series seen in the previous scrape but not in this one. */
export function appendStaleMarkers(cache: ScrapeCache, app: Appender, tsMs: number): number {
  let n = 0;
  const stamp = cache.stamp;
  for (const e of cache.prev) {
    if (e.stamp === stamp) continue;
    try {
      e.ref = app.appendStale(e.ref, e.labels, tsMs);
    } catch {
      // Out-of-order markers (the series came back elsewhere) are expected and ignored.
    }
    n++;
  }
  return n;
}

/** Marks every series of the previous scrape as ended: the end-of-run staleness of a removed target. */
export function appendAllStale(entries: Iterable<CacheEntry>, app: Appender, tsMs: number): void {
  for (const e of entries) {
    try {
      e.ref = app.appendStale(e.ref, e.labels, tsMs);
    } catch {
      // Ignored, as above.
    }
  }
}
