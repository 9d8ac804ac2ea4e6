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
    help: 'Seconds between the starts of two consecutive scrapes of one target, by configured scrape interval.',
    labelNames: ['interval'],
    registers,
    ...OBJECTIVES,
  });
  const reloadLength = new Summary({
    name: 'prometheus_target_reload_length_seconds',
    help: 'Seconds spent applying a changed job configuration to its scrape pool, by configured scrape interval.',
    labelNames: ['interval'],
    registers,
    ...OBJECTIVES,
  });
  const syncLength = new Summary({
    name: 'prometheus_target_sync_length_seconds',
    help: "Seconds a job's scrape pool spent rebuilding its target list, by job.",
    labelNames: ['scrape_job'],
    registers,
    ...OBJECTIVES,
  });
  const pools = counter(
    'prometheus_target_scrape_pools_total',
    'Count of attempts to create a scrape pool for a job, whether or not they succeeded.',
  );
  const poolsFailed = counter(
    'prometheus_target_scrape_pools_failed_total',
    'Count of attempts to create a scrape pool for a job that ended in an error.',
  );
  const reloads = counter(
    'prometheus_target_scrape_pool_reloads_total',
    'Count of attempts to apply a changed configuration to a running scrape pool.',
  );
  const reloadsFailed = counter(
    'prometheus_target_scrape_pool_reloads_failed_total',
    'Count of changed configurations a running scrape pool could not apply.',
  );
  const exceededTargetLimit = counter(
    'prometheus_target_scrape_pool_exceeded_target_limit_total',
    'Count of scrape pool syncs and reloads that left a pool with more targets than its target_limit.',
  );
  const targetLimit = new Gauge({
    name: 'prometheus_target_scrape_pool_target_limit',
    help: 'The target_limit configured for this job, 0 meaning unlimited.',
    labelNames: ['scrape_job'],
    registers,
  });
  const targets = new Gauge({
    name: 'prometheus_target_scrape_pool_targets',
    help: "Distinct targets this job's scrape pool is scraping now.",
    labelNames: ['scrape_job'],
    registers,
  });
  const syncs = counter(
    'prometheus_target_scrape_pool_sync_total',
    "Count of target-list rebuilds a job's scrape pool has run.",
    ['scrape_job'],
  );
  const syncFailed = counter(
    'prometheus_target_sync_failed_total',
    'Count of discovered targets a job could not turn into scrape targets.',
    ['scrape_job'],
  );
  const bodySize = counter(
    'prometheus_target_scrapes_exceeded_body_size_limit_total',
    'Count of scrapes aborted because the response body grew past body_size_limit.',
  );
  const sampleLimit = counter(
    'prometheus_target_scrapes_exceeded_sample_limit_total',
    'Count of scrapes discarded for returning more samples than sample_limit allows.',
  );
  const labelLimits = counter(
    'prometheus_target_scrape_pool_exceeded_label_limits_total',
    'Count of scrapes discarded because a series broke label_limit, label_name_length_limit or label_value_length_limit.',
  );
  const duplicate = counter(
    'prometheus_target_scrapes_sample_duplicate_timestamp_total',
    'Count of scraped samples storage refused because their series already held a different value at that timestamp.',
  );
  const outOfOrder = counter(
    'prometheus_target_scrapes_sample_out_of_order_total',
    'Count of scraped samples storage refused because they were older than the newest sample of their series.',
  );
  const outOfBounds = counter(
    'prometheus_target_scrapes_sample_out_of_bounds_total',
    'Count of scraped samples storage refused because their timestamp lay outside the range it accepts.',
  );
  const exemplarOutOfOrder = counter(
    'prometheus_target_scrapes_exemplar_out_of_order_total',
    'Count of scraped exemplars storage refused because they were older than the newest exemplar of their series.',
  );
  const cacheFlush = counter(
    'prometheus_target_scrapes_cache_flush_forced_total',
    "Count of times a target's scrape cache was pruned during failing scrapes because it had grown too large.",
  );

  return {
    observeIntervalLength: (interval, s) => intervalLength.observe({ interval }, s),
    observeReloadLength: (interval, s) => reloadLength.observe({ interval }, s),
    // The plain totals count attempts, failed ones included (as in Prometheus); `_failed_total` is the subset.
    incScrapePools: (failed) => {
      pools.inc();
      if (failed) poolsFailed.inc();
    },
    incScrapePoolReloads: (failed) => {
      reloads.inc();
      if (failed) reloadsFailed.inc();
    },
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
