import { Labels } from '@scrapewire/model';
import type { Appender, Metadata } from '@scrapewire/storage';
import { type CacheEntry, newCacheEntry, type ScrapeCache } from './scrape-cache.js';
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
 * The fixed metadata of the report series. Type and unit match what Prometheus attaches
 * (`scrapeHealthMetric` and friends in its scrape loop), so storages and remote-write receivers can treat
 * the series alike from either scraper; the help text is our own.
 */
export const REPORT_METADATA: Readonly<Record<(typeof BASE)[number] | (typeof EXTRA)[number], Metadata>> = {
  up: gauge(
    'targets',
    'Whether the most recent scrape of this target succeeded: 1 for success, 0 for failure.',
  ),
  scrape_duration_seconds: gauge('seconds', 'Seconds taken by the most recent scrape of this target.'),
  scrape_samples_scraped: gauge('samples', "Samples parsed from the target's most recent scrape response."),
  scrape_samples_post_metric_relabeling: gauge(
    'samples',
    'Samples from the most recent scrape that metric_relabel_configs kept.',
  ),
  scrape_series_added: gauge(
    'series',
    "Series in the most recent scrape that the target's scrape cache had not seen before.",
  ),
  scrape_timeout_seconds: gauge('seconds', 'The scrape_timeout configured for this target, in seconds.'),
  scrape_sample_limit: gauge('samples', 'The sample_limit configured for this target, 0 meaning no limit.'),
  scrape_body_size_bytes: gauge(
    'bytes',
    'Uncompressed bytes of the most recent scrape response body; -1 if body_size_limit cut the scrape short and 0 for any other failed scrape.',
  ),
};

function entryFor(cache: ScrapeCache, target: ScrapeTarget, name: string): CacheEntry {
  let e = cache.report.get(name);
  if (e === undefined) {
    // Report series carry the public target labels and no metric relabeling (Prometheus's `report`).
    const labels = target.publicLabels.builder().set('__name__', name).labels();
    e = newCacheEntry(labels, 0);
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
