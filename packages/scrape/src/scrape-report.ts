import type { ScrapeError } from './errors.js';
import type { ScrapeTarget } from './target.js';

/**
 * The outcome of one scrape of one target, emitted by the scrape loop after the scrape's transaction was
 * committed. A failed scrape is a report with `up = false` and `error` set, never a stream error.
 */
export interface ScrapeReport {
  /** The target; its state fields (health, lastError, …) already reflect this scrape. */
  readonly target: ScrapeTarget;
  /** The scrape timestamp (ms since epoch) every sample without its own timestamp was stored with. */
  readonly timestampMs: number;
  /** From the start of the scrape to the report (`scrape_duration_seconds` × 1000). */
  readonly durationMs: number;
  /** `scrape_samples_scraped`. */
  readonly samplesScraped: number;
  /** `scrape_samples_post_metric_relabeling`. */
  readonly samplesPostMetricRelabeling: number;
  /** `scrape_series_added`. */
  readonly seriesAdded: number;
  /** Uncompressed body size in bytes; −1 when `body_size_limit` was hit, 0 for other failures. */
  readonly bodySizeBytes: number;
  readonly up: boolean;
  readonly error: ScrapeError | undefined;
}
