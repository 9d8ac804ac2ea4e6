/**
 * The engine's own instrumentation, shaped after Prometheus's `prometheus_target_*` metrics
 * (`scrape/metrics.go`). The scrape package never imports a metrics library: an embedder passes an
 * implementation backed by prom-client (or anything else), and the default does nothing.
 *
 * Every method is called synchronously on the scrape path, so implementations must be cheap and must not
 * throw.
 */
export interface ScrapeMetrics {
  /** `prometheus_target_interval_length_seconds{interval}`: the actual time between two scrapes. */
  observeIntervalLength(interval: string, seconds: number): void;
  /** `prometheus_target_reload_length_seconds{interval}`: the time a pool took to apply a new config. */
  observeReloadLength(interval: string, seconds: number): void;
  /** `prometheus_target_scrape_pools_total` / `_failed_total`. */
  incScrapePools(failed: boolean): void;
  /** `prometheus_target_scrape_pool_reloads_total` / `_failed_total`. */
  incScrapePoolReloads(failed: boolean): void;
  /** `prometheus_target_scrape_pool_exceeded_target_limit_total`. */
  incExceededTargetLimit(): void;
  /** `prometheus_target_scrape_pool_target_limit{scrape_job}`. */
  setTargetLimit(job: string, limit: number): void;
  /** `prometheus_target_scrape_pool_targets{scrape_job}`: unique active targets. */
  setTargets(job: string, count: number): void;
  /** `prometheus_target_scrape_pool_sync_total{scrape_job}` and `prometheus_target_sync_length_seconds{scrape_job}`. */
  observeSync(job: string, seconds: number): void;
  /** `prometheus_target_sync_failed_total{scrape_job}`: targets that could not be built. */
  incSyncFailed(job: string): void;
  /** `prometheus_target_scrapes_exceeded_body_size_limit_total`. */
  incExceededBodySizeLimit(): void;
  /** `prometheus_target_scrapes_exceeded_sample_limit_total`. */
  incExceededSampleLimit(): void;
  /** `prometheus_target_scrape_pool_exceeded_label_limits_total`. */
  incExceededLabelLimits(): void;
  /** `prometheus_target_scrapes_sample_duplicate_timestamp_total`. */
  addSampleDuplicateTimestamp(n: number): void;
  /** `prometheus_target_scrapes_sample_out_of_order_total`. */
  addSampleOutOfOrder(n: number): void;
  /** `prometheus_target_scrapes_sample_out_of_bounds_total`. */
  addSampleOutOfBounds(n: number): void;
  /** `prometheus_target_scrapes_exemplar_out_of_order_total`. */
  addExemplarOutOfOrder(n: number): void;
  /** `prometheus_target_scrapes_cache_flush_forced_total`. */
  incCacheFlushForced(): void;
  /** A job's pool stopped: drop its per-job series (as Prometheus v3 does). */
  deleteJob(job: string): void;
}

const noop = (): void => {};

/** A {@link ScrapeMetrics} that records nothing: the default. */
export const noopScrapeMetrics: ScrapeMetrics = Object.freeze({
  observeIntervalLength: noop,
  observeReloadLength: noop,
  incScrapePools: noop,
  incScrapePoolReloads: noop,
  incExceededTargetLimit: noop,
  setTargetLimit: noop,
  setTargets: noop,
  observeSync: noop,
  incSyncFailed: noop,
  incExceededBodySizeLimit: noop,
  incExceededSampleLimit: noop,
  incExceededLabelLimits: noop,
  addSampleDuplicateTimestamp: noop,
  addSampleOutOfOrder: noop,
  addSampleOutOfBounds: noop,
  addExemplarOutOfOrder: noop,
  incCacheFlushForced: noop,
  deleteJob: noop,
});
