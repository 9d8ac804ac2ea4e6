import { Counter, Gauge, type Registry, Summary } from 'prom-client';
import type { ScrapeMetrics } from '@scrapewire/scrape';

/** Prometheus's summary objectives for its target timing metrics (`scrape/metrics.go`). */
const OBJECTIVES = { percentiles: [0.01, 0.05, 0.5, 0.9, 0.99], maxAgeSeconds: 600, ageBuckets: 5 };

/** Maps the scrape engine's metric calls onto prom-client, under Prometheus's `prometheus_target_*` names. */
export function createPromScrapeMetrics(registry: Registry): ScrapeMetrics {
  const registers = [registry];
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers });
  const intervalLength = new Summary({
    name: 'prometheus_target_interval_length_seconds',
    help: 'Actual intervals between scrapes.',
    labelNames: ['interval'],
    registers,
    ...OBJECTIVES,
  });
  const reloadLength = new Summary({
    name: 'prometheus_target_reload_length_seconds',
    help: 'Actual interval to reload the scrape pool with a given configuration.',
    labelNames: ['interval'],
    registers,
    ...OBJECTIVES,
  });
  const syncLength = new Summary({
    name: 'prometheus_target_sync_length_seconds',
    help: 'Actual interval to sync the scrape pool.',
    labelNames: ['scrape_job'],
    registers,
    ...OBJECTIVES,
  });
  const pools = counter(
    'prometheus_target_scrape_pools_total',
    'Total number of scrape pool creation attempts.',
  );
  const poolsFailed = counter(
    'prometheus_target_scrape_pools_failed_total',
    'Total number of scrape pool creations that failed.',
  );
  const reloads = counter(
    'prometheus_target_scrape_pool_reloads_total',
    'Total number of scrape pool reloads.',
  );
  const reloadsFailed = counter(
    'prometheus_target_scrape_pool_reloads_failed_total',
    'Total number of failed scrape pool reloads.',
  );
  const exceededTargetLimit = counter(
    'prometheus_target_scrape_pool_exceeded_target_limit_total',
    'Total number of times scrape pools hit the target limit, during sync or config reload.',
  );
  const targetLimit = new Gauge({
    name: 'prometheus_target_scrape_pool_target_limit',
    help: 'Maximum number of targets allowed in this scrape pool.',
    labelNames: ['scrape_job'],
    registers,
  });
  const targets = new Gauge({
    name: 'prometheus_target_scrape_pool_targets',
    help: 'Current number of targets in this scrape pool.',
    labelNames: ['scrape_job'],
    registers,
  });
  const syncs = counter(
    'prometheus_target_scrape_pool_sync_total',
    'Total number of syncs that were executed on a scrape pool.',
    ['scrape_job'],
  );
  const syncFailed = counter('prometheus_target_sync_failed_total', 'Total number of target sync failures.', [
    'scrape_job',
  ]);
  const bodySize = counter(
    'prometheus_target_scrapes_exceeded_body_size_limit_total',
    'Total number of scrapes that hit the body size limit',
  );
  const sampleLimit = counter(
    'prometheus_target_scrapes_exceeded_sample_limit_total',
    'Total number of scrapes that hit the sample limit and were rejected.',
  );
  const labelLimits = counter(
    'prometheus_target_scrape_pool_exceeded_label_limits_total',
    'Total number of times scrape pools hit the label limits, during sync or config reload.',
  );
  const duplicate = counter(
    'prometheus_target_scrapes_sample_duplicate_timestamp_total',
    'Total number of samples rejected due to duplicate timestamps but different values.',
  );
  const outOfOrder = counter(
    'prometheus_target_scrapes_sample_out_of_order_total',
    'Total number of samples rejected due to not being out of the expected order.',
  );
  const outOfBounds = counter(
    'prometheus_target_scrapes_sample_out_of_bounds_total',
    'Total number of samples rejected due to timestamp falling outside of the time bounds.',
  );
  const exemplarOutOfOrder = counter(
    'prometheus_target_scrapes_exemplar_out_of_order_total',
    'Total number of exemplar rejected due to not being out of the expected order.',
  );
  const cacheFlush = counter(
    'prometheus_target_scrapes_cache_flush_forced_total',
    'How many times a scrape cache was flushed due to getting big while scrapes are failing.',
  );

  return {
    observeIntervalLength: (interval, s) => intervalLength.observe({ interval }, s),
    observeReloadLength: (interval, s) => reloadLength.observe({ interval }, s),
    incScrapePools: (failed) => (failed ? poolsFailed : pools).inc(),
    incScrapePoolReloads: (failed) => (failed ? reloadsFailed : reloads).inc(),
    incExceededTargetLimit: () => exceededTargetLimit.inc(),
    setTargetLimit: (job, limit) => targetLimit.set({ scrape_job: job }, limit),
    setTargets: (job, n) => targets.set({ scrape_job: job }, n),
    observeSync: (job, s) => {
      syncs.inc({ scrape_job: job });
      syncLength.observe({ scrape_job: job }, s);
    },
    incSyncFailed: (job) => syncFailed.inc({ scrape_job: job }),
    incExceededBodySizeLimit: () => bodySize.inc(),
    incExceededSampleLimit: () => sampleLimit.inc(),
    incExceededLabelLimits: () => labelLimits.inc(),
    addSampleDuplicateTimestamp: (n) => duplicate.inc(n),
    addSampleOutOfOrder: (n) => outOfOrder.inc(n),
    addSampleOutOfBounds: (n) => outOfBounds.inc(n),
    addExemplarOutOfOrder: (n) => exemplarOutOfOrder.inc(n),
    incCacheFlushForced: () => cacheFlush.inc(),
    deleteJob: (job) => {
      for (const m of [targetLimit, targets, syncs, syncFailed]) m.remove({ scrape_job: job });
      syncLength.remove({ scrape_job: job });
    },
  };
}
