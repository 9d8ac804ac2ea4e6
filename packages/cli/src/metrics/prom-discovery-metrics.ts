import { Counter, Gauge, type Registry, Summary } from 'prom-client';
import type { DiscoveryMetrics } from '@scrapewire/discovery';

/**
 * Maps discovery's metric calls onto prom-client under Prometheus's `prometheus_sd_*` names. `name` is the
 * manager's name label (`scrape` for the scrape discovery manager, as in Prometheus).
 */
export function createPromDiscoveryMetrics(registry: Registry, name = 'scrape'): DiscoveryMetrics {
  const registers = [registry];
  const discovered = new Gauge({
    name: 'prometheus_sd_discovered_targets',
    help: 'Current number of discovered targets.',
    labelNames: ['name', 'config'],
    registers,
  });
  const lastUpdate = new Gauge({
    name: 'prometheus_sd_last_update_timestamp_seconds',
    help: 'Timestamp of the last update sent to the SD consumers.',
    labelNames: ['name', 'config'],
    registers,
  });
  const failedConfigs = new Gauge({
    name: 'prometheus_sd_failed_configs',
    help: 'Current number of service discovery configurations that failed to load.',
    labelNames: ['name'],
    registers,
  });
  const received = new Counter({
    name: 'prometheus_sd_received_updates_total',
    help: 'Total number of update events received from the SD providers.',
    labelNames: ['name'],
    registers,
  });
  const sent = new Counter({
    name: 'prometheus_sd_updates_total',
    help: 'Total number of update events sent to the SD consumers.',
    labelNames: ['name'],
    registers,
  });
  const delayed = new Counter({
    name: 'prometheus_sd_updates_delayed_total',
    help: 'Total number of update events that could not be sent immediately.',
    labelNames: ['name'],
    registers,
  });
  const refreshDuration = new Summary({
    name: 'prometheus_sd_refresh_duration_seconds',
    help: 'The duration of a refresh for the given SD mechanism.',
    labelNames: ['mechanism', 'config'],
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers,
  });
  const refreshFailures = new Counter({
    name: 'prometheus_sd_refresh_failures_total',
    help: 'Number of refresh failures for the given SD mechanism.',
    labelNames: ['mechanism', 'config'],
    registers,
  });
  const fileReadErrors = new Counter({
    name: 'prometheus_sd_file_read_errors_total',
    help: 'The number of File-SD read errors.',
    registers,
  });
  const fileScan = new Summary({
    name: 'prometheus_sd_file_scan_duration_seconds',
    help: 'The duration of the File-SD scan in seconds.',
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers,
  });
  const fileWatcherErrors = new Counter({
    name: 'prometheus_sd_file_watcher_errors_total',
    help: 'The number of File-SD errors caused by filesystem watch failures.',
    registers,
  });
  const httpFailures = new Counter({
    name: 'prometheus_sd_http_failures_total',
    help: 'Number of HTTP service discovery refresh failures.',
    registers,
  });
  const kubernetesEvents = new Counter({
    name: 'prometheus_sd_kubernetes_events_total',
    help: 'The number of Kubernetes events handled.',
    labelNames: ['role', 'event'],
    registers,
  });
  const kubernetesFailures = new Counter({
    name: 'prometheus_sd_kubernetes_failures_total',
    help: 'The number of failed WATCH/LIST requests.',
    registers,
  });
  // Prometheus creates these series up front, so they read 0 rather than being absent.
  for (const role of ['endpointslice', 'endpoints', 'node', 'pod', 'service', 'ingress']) {
    for (const event of ['add', 'delete', 'update']) kubernetesEvents.inc({ role, event }, 0);
  }
  failedConfigs.set({ name }, 0);
  received.inc({ name }, 0);
  sent.inc({ name }, 0);
  delayed.inc({ name }, 0);

  return {
    setDiscoveredTargets: (job, n) => discovered.set({ name, config: job }, n),
    deleteJob: (job) => {
      discovered.remove({ name, config: job });
      lastUpdate.remove({ name, config: job });
    },
    setLastUpdateTimestamp: (job, s) => lastUpdate.set({ name, config: job }, s),
    setFailedConfigs: (n) => failedConfigs.set({ name }, n),
    incReceivedUpdates: () => received.inc({ name }),
    incSentUpdates: () => sent.inc({ name }),
    incDelayedUpdates: () => delayed.inc({ name }),
    observeRefreshDuration: (mechanism, config, s) => refreshDuration.observe({ mechanism, config }, s),
    incRefreshFailures: (mechanism, config) => refreshFailures.inc({ mechanism, config }),
    incFileReadErrors: () => fileReadErrors.inc(),
    observeFileScanDuration: (s) => fileScan.observe(s),
    incFileWatcherErrors: () => fileWatcherErrors.inc(),
    incHttpFailures: () => httpFailures.inc(),
    incKubernetesEvents: (role, event) => kubernetesEvents.inc({ role, event }),
    incKubernetesFailures: () => kubernetesFailures.inc(),
  };
}
