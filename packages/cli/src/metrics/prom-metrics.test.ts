import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPromDiscoveryMetrics } from './prom-discovery-metrics.js';
import { createPromRemoteWriteMetrics } from './prom-remote-write-metrics.js';
import { createPromScrapeMetrics } from './prom-scrape-metrics.js';

// Names, types and label names are what dashboards and alerts key on: they must stay Prometheus's.
const SCRAPE: Record<string, string> = {
  prometheus_target_interval_length_seconds: 'summary',
  prometheus_target_reload_length_seconds: 'summary',
  prometheus_target_sync_length_seconds: 'summary',
  prometheus_target_scrape_pools_total: 'counter',
  prometheus_target_scrape_pools_failed_total: 'counter',
  prometheus_target_scrape_pool_reloads_total: 'counter',
  prometheus_target_scrape_pool_reloads_failed_total: 'counter',
  prometheus_target_scrape_pool_exceeded_target_limit_total: 'counter',
  prometheus_target_scrape_pool_target_limit: 'gauge',
  prometheus_target_scrape_pool_targets: 'gauge',
  prometheus_target_scrape_pool_sync_total: 'counter',
  prometheus_target_sync_failed_total: 'counter',
  prometheus_target_scrapes_exceeded_body_size_limit_total: 'counter',
  prometheus_target_scrapes_exceeded_sample_limit_total: 'counter',
  prometheus_target_scrape_pool_exceeded_label_limits_total: 'counter',
  prometheus_target_scrapes_sample_duplicate_timestamp_total: 'counter',
  prometheus_target_scrapes_sample_out_of_order_total: 'counter',
  prometheus_target_scrapes_sample_out_of_bounds_total: 'counter',
  prometheus_target_scrapes_exemplar_out_of_order_total: 'counter',
  prometheus_target_scrapes_cache_flush_forced_total: 'counter',
};
const DISCOVERY: Record<string, string> = {
  prometheus_sd_discovered_targets: 'gauge',
  prometheus_sd_last_update_timestamp_seconds: 'gauge',
  prometheus_sd_failed_configs: 'gauge',
  prometheus_sd_received_updates_total: 'counter',
  prometheus_sd_updates_total: 'counter',
  prometheus_sd_updates_delayed_total: 'counter',
  prometheus_sd_refresh_duration_seconds: 'summary',
  prometheus_sd_refresh_failures_total: 'counter',
  prometheus_sd_file_read_errors_total: 'counter',
  prometheus_sd_file_scan_duration_seconds: 'summary',
  prometheus_sd_file_watcher_errors_total: 'counter',
  prometheus_sd_http_failures_total: 'counter',
  prometheus_sd_kubernetes_events_total: 'counter',
  prometheus_sd_kubernetes_failures_total: 'counter',
};
const RW = 'prometheus_remote_storage_';
const REMOTE_WRITE: Record<string, string> = {
  [`${RW}shards`]: 'gauge',
  [`${RW}bytes_total`]: 'counter',
  [`${RW}metadata_bytes_total`]: 'counter',
  [`${RW}highest_timestamp_in_seconds`]: 'gauge',
  [`${RW}queue_highest_sent_timestamp_seconds`]: 'gauge',
  [`${RW}sent_batch_duration_seconds`]: 'histogram',
};
for (const k of ['samples', 'exemplars', 'histograms', 'metadata']) {
  for (const s of ['_total', '_failed_total', '_retried_total', '_dropped_total'])
    REMOTE_WRITE[`${RW}${k}${s}`] = 'counter';
  REMOTE_WRITE[`${RW}${k}_pending`] = 'gauge';
}

async function families(registry: Registry) {
  return new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, m]));
}

describe('prom-client adapters', () => {
  it('register exactly the Prometheus metric names and types', async () => {
    const registry = new Registry();
    createPromScrapeMetrics(registry);
    createPromDiscoveryMetrics(registry);
    createPromRemoteWriteMetrics(registry)('q', 'http://127.0.0.1/w');
    const got = Object.fromEntries([...(await families(registry))].map(([n, m]) => [n, String(m.type)]));
    expect(got).toEqual({ ...SCRAPE, ...DISCOVERY, ...REMOTE_WRITE });
  });

  it('give every metric a one-sentence help text of its own', async () => {
    const registry = new Registry();
    createPromScrapeMetrics(registry);
    createPromDiscoveryMetrics(registry);
    createPromRemoteWriteMetrics(registry)('q', 'http://127.0.0.1/w');
    const helps = [...(await families(registry)).values()].map((m) => m.help);
    for (const h of helps) expect(h).toMatch(/^[A-Z0-9][^\n]*[^.]\.$/);
    for (const h of helps) expect(h.slice(0, -1)).not.toMatch(/\.\s/);
    // Per-kind families say which kind they count rather than sharing one text.
    expect(new Set(helps).size).toBe(helps.length);
  });

  it('keep label names and the batch-duration buckets', async () => {
    const registry = new Registry();
    const scrape = createPromScrapeMetrics(registry);
    const sd = createPromDiscoveryMetrics(registry);
    const rw = createPromRemoteWriteMetrics(registry)('q', 'http://127.0.0.1/w');
    scrape.setTargets('job', 3);
    sd.observeRefreshDuration('file', 'job', 0.1);
    rw.dropped('samples', 1, 'shutdown');
    rw.observeSentBatchDuration(0.2);
    const text = await registry.metrics();
    expect(text).toContain('prometheus_target_scrape_pool_targets{scrape_job="job"} 3');
    expect(text).toContain('prometheus_sd_refresh_duration_seconds_count{mechanism="file",config="job"} 1');
    expect(text).toContain(
      'prometheus_remote_storage_samples_dropped_total{remote_name="q",url="http://127.0.0.1/w",reason="shutdown"} 1',
    );
    const les = [
      ...text.matchAll(/^prometheus_remote_storage_sent_batch_duration_seconds_bucket\{[^\n]*le="([^"]+)"/gm),
    ].map((m) => m[1]);
    expect(les).toEqual(
      [
        '0.005',
        '0.01',
        '0.025',
        '0.05',
        '0.1',
        '0.25',
        '0.5',
        '1',
        '2.5',
        '5',
        '10',
        '25',
        '60',
        '120',
        '300',
      ].concat('+Inf'),
    );
  });

  it('count pool creations and reloads as attempts, failed ones in both totals', async () => {
    const registry = new Registry();
    const m = createPromScrapeMetrics(registry);
    m.incScrapePools(false);
    m.incScrapePools(true);
    m.incScrapePoolReloads(true);
    const text = await registry.metrics();
    expect(text).toMatch(/^prometheus_target_scrape_pools_total 2$/m);
    expect(text).toMatch(/^prometheus_target_scrape_pools_failed_total 1$/m);
    expect(text).toMatch(/^prometheus_target_scrape_pool_reloads_total 1$/m);
    expect(text).toMatch(/^prometheus_target_scrape_pool_reloads_failed_total 1$/m);
  });
});
