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
    help: 'Targets in the latest target set the discovery manager produced for each job.',
    labelNames: ['name', 'config'],
    registers,
  });
  const lastUpdate = new Gauge({
    name: 'prometheus_sd_last_update_timestamp_seconds',
    help: 'Unix time in seconds at which the discovery manager last delivered targets for this job.',
    labelNames: ['name', 'config'],
    registers,
  });
  const failedConfigs = new Gauge({
    name: 'prometheus_sd_failed_configs',
    help: 'Service discovery configurations that could not be started at the most recent config load.',
    labelNames: ['name'],
    registers,
  });
  const received = new Counter({
    name: 'prometheus_sd_received_updates_total',
    help: 'Count of target-group updates the discovery manager has taken in from its providers.',
    labelNames: ['name'],
    registers,
  });
  const sent = new Counter({
    name: 'prometheus_sd_updates_total',
    help: 'Count of merged target sets the discovery manager has passed on to its consumer.',
    labelNames: ['name'],
    registers,
  });
  const delayed = new Counter({
    name: 'prometheus_sd_updates_delayed_total',
    help: 'Count of provider updates held back by the send throttle and merged into a later delivery.',
    labelNames: ['name'],
    registers,
  });
  const refreshDuration = new Summary({
    name: 'prometheus_sd_refresh_duration_seconds',
    help: 'Seconds one refresh of a polling discovery mechanism took, by mechanism and config.',
    labelNames: ['mechanism', 'config'],
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers,
  });
  const refreshFailures = new Counter({
    name: 'prometheus_sd_refresh_failures_total',
    help: 'Count of polling discovery refreshes that ended in an error, by mechanism and config.',
    labelNames: ['mechanism', 'config'],
    registers,
  });
  const fileReadErrors = new Counter({
    name: 'prometheus_sd_file_read_errors_total',
    help: 'Count of failures to read or parse a file named by file_sd_configs.',
    registers,
  });
  const fileScan = new Summary({
    name: 'prometheus_sd_file_scan_duration_seconds',
    help: 'Seconds taken to read every file matched by one file_sd_configs entry.',
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers,
  });
  const fileWatcherErrors = new Counter({
    name: 'prometheus_sd_file_watcher_errors_total',
    help: 'Count of errors reported by the file-system watches behind file_sd_configs.',
    registers,
  });
  const httpFailures = new Counter({
    name: 'prometheus_sd_http_failures_total',
    help: 'Count of http_sd_configs fetches that failed.',
    registers,
  });
  const kubernetesEvents = new Counter({
    name: 'prometheus_sd_kubernetes_events_total',
    help: 'Count of add, update and delete notifications processed by Kubernetes discovery, by role and event.',
    labelNames: ['role', 'event'],
    registers,
  });
  const kubernetesFailures = new Counter({
    name: 'prometheus_sd_kubernetes_failures_total',
    help: 'Count of Kubernetes API list or watch calls from Kubernetes discovery that failed.',
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
