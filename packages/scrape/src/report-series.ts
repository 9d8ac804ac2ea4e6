import { Labels } from '@scrapewire/model';
import type { Appender, Metadata } from '@scrapewire/storage';
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

const gauge = (unit: string, help: string): Metadata => Object.freeze({ type: 'gauge', unit, help });

/**
 * The fixed metadata of the report series. Type, unit and help text are those Prometheus attaches
 * (`scrapeHealthMetric` and friends in its scrape loop), so storages and remote-write receivers see the
 * same metadata from either scraper.
 */
export const REPORT_METADATA: Readonly<Record<(typeof BASE)[number] | (typeof EXTRA)[number], Metadata>> = {
  up: gauge('targets', 'Health of the scrape target. 1 means the target is healthy, 0 if the scrape failed.'),
  scrape_duration_seconds: gauge('seconds', 'Duration of the last scrape in seconds.'),
  scrape_samples_scraped: gauge('samples', 'Number of samples last scraped.'),
  scrape_samples_post_metric_relabeling: gauge(
    'samples',
    'Number of samples remaining after metric relabeling was applied.',
  ),
  scrape_series_added: gauge('series', 'Number of series in the last scrape.'),
  scrape_timeout_seconds: gauge('seconds', 'The configured scrape timeout for a target.'),
  scrape_sample_limit: gauge(
    'samples',
    'The configured sample limit for a target. Returns zero if there is no limit configured.',
  ),
  scrape_body_size_bytes: gauge(
    'bytes',
    'The uncompressed size of the last scrape response, if successful. Scrapes failing because body_size_limit is exceeded report -1, other scrape failures report 0.',
  ),
};

function entryFor(cache: ScrapeCache, target: ScrapeTarget, name: string): CacheEntry {
  let e = cache.report.get(name);
  if (e === undefined) {
    // Report series carry the public target labels and no metric relabeling (Prometheus's `report`).
    const labels = target.publicLabels.builder().set('__name__', name).labels();
    e = { ref: 0, labels, key: labels.key(), lastIter: 0, meta: undefined };
    cache.report.set(name, e);
  }
  return e;
}

/**
 * Appends `up`, `scrape_duration_seconds`, … for one scrape at `tsMs`. A report series' fixed metadata
 * ({@link REPORT_METADATA}) goes with its first successful append in this cache, as in Prometheus (which
 * writes it when the series enters the scrape cache), and again only if that transaction did not commit.
 */
export function appendReport(
  app: Appender,
  cache: ScrapeCache,
  target: ScrapeTarget,
  tsMs: number,
  v: ReportValues,
): void {
  const values = [v.up, v.durationSeconds, v.samplesScraped, v.samplesPostMetricRelabeling, v.seriesAdded];
  for (let i = 0; i < BASE.length; i++) {
    const name = BASE[i]!;
    const e = entryFor(cache, target, name);
    appendOne(app, cache, e, tsMs, values[i]!, REPORT_METADATA[name]);
  }
  if (v.extra) {
    const ev = [v.extra.timeoutSeconds, v.extra.sampleLimit, v.extra.bodySizeBytes];
    for (let i = 0; i < EXTRA.length; i++) {
      const name = EXTRA[i]!;
      const e = entryFor(cache, target, name);
      appendOne(app, cache, e, tsMs, ev[i]!, REPORT_METADATA[name]);
    }
  }
}

function appendOne(
  app: Appender,
  cache: ScrapeCache,
  e: CacheEntry,
  tsMs: number,
  value: number,
  meta: Metadata,
): void {
  try {
    e.ref = app.append(e.ref, e.labels, tsMs, value);
  } catch {
    // A rejected report sample (e.g. out of order after a clock step) must not fail the report.
    return;
  }
  if (e.meta === meta) return;
  e.meta = meta;
  try {
    const ref = app.updateMetadata(e.ref, e.labels, meta);
    if (ref !== 0) e.ref = ref;
  } catch {
    // Metadata errors never fail a report.
    return;
  }
  cache.metaReported.push(e);
}

/** Labels of a report series, for tests and tools. */
export function reportSeriesLabels(target: ScrapeTarget, name: string): Labels {
  return Labels.fromPairs([...target.publicLabels.toFlat(), '__name__', name]);
}
