import { Labels } from '@scrapewire/model';
import type { Appender } from '@scrapewire/storage';
import type { CacheEntry, ScrapeCache } from './scrape-cache.js';
import type { ScrapeTarget } from './target.js';

/** The values of one scrape's report series. */
export interface ReportValues {
  readonly up: number;
  readonly durationSeconds: number;
  readonly samplesScraped: number;
  readonly samplesPostMetricRelabeling: number;
  readonly seriesAdded: number;
  /** Present when the job has `extra_scrape_metrics`. */
  readonly extra?: {
    readonly timeoutSeconds: number;
    readonly sampleLimit: number;
    readonly bodySizeBytes: number;
  };
}

const BASE = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
] as const;
const EXTRA = ['scrape_timeout_seconds', 'scrape_sample_limit', 'scrape_body_size_bytes'] as const;

function entryFor(cache: ScrapeCache, target: ScrapeTarget, name: string): CacheEntry {
  let e = cache.report.get(name);
  if (e === undefined) {
    // Report series carry the public target labels and no metric relabeling (Prometheus's `report`).
    const labels = target.publicLabels.builder().set('__name__', name).labels();
    e = { ref: 0, labels, key: labels.key(), lastIter: 0 };
    cache.report.set(name, e);
  }
  return e;
}

/** Appends `up`, `scrape_duration_seconds`, … for one scrape at `tsMs`. */
export function appendReport(
  app: Appender,
  cache: ScrapeCache,
  target: ScrapeTarget,
  tsMs: number,
  v: ReportValues,
): void {
  const values = [v.up, v.durationSeconds, v.samplesScraped, v.samplesPostMetricRelabeling, v.seriesAdded];
  for (let i = 0; i < BASE.length; i++) {
    const e = entryFor(cache, target, BASE[i]!);
    e.ref = safeAppend(app, e, tsMs, values[i]!);
  }
  if (v.extra) {
    const ev = [v.extra.timeoutSeconds, v.extra.sampleLimit, v.extra.bodySizeBytes];
    for (let i = 0; i < EXTRA.length; i++) {
      const e = entryFor(cache, target, EXTRA[i]!);
      e.ref = safeAppend(app, e, tsMs, ev[i]!);
    }
  }
}

function safeAppend(app: Appender, e: CacheEntry, tsMs: number, value: number): number {
  try {
    return app.append(e.ref, e.labels, tsMs, value);
  } catch {
    // A rejected report sample (e.g. out of order after a clock step) must not fail the report.
    return e.ref;
  }
}

/** Labels of a report series, for tests and tools. */
export function reportSeriesLabels(target: ScrapeTarget, name: string): Labels {
  return Labels.fromPairs([...target.publicLabels.toFlat(), '__name__', name]);
}
