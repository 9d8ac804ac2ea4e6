/**
 * The self-metrics discovery reports, as calls rather than instruments, so this package never depends on a
 * metrics library. Each method names the Prometheus metric an adapter should map it to; Prometheus adds a
 * constant `name` label (`scrape` / `notify`) for the manager, which the adapter supplies.
 *
 * Implementations must be cheap and must not throw: they are called on every discovery update.
 */
export interface DiscoveryMetrics {
  /** `prometheus_sd_discovered_targets{config=<job>}`: targets the manager last sent for `job`. */
  setDiscoveredTargets(job: string, count: number): void;
  /** Removes the `prometheus_sd_discovered_targets` (and last-update) series of a job that went away. */
  deleteJob(job: string): void;
  /** `prometheus_sd_last_update_timestamp_seconds{config=<job>}` (Prometheus 3.11+). */
  setLastUpdateTimestamp(job: string, unixSeconds: number): void;
  /** `prometheus_sd_failed_configs`: SD configs that could not be started at the last (re)load. */
  setFailedConfigs(count: number): void;
  /** `prometheus_sd_received_updates_total`: updates received from providers. */
  incReceivedUpdates(): void;
  /** `prometheus_sd_updates_total`: target sets sent to the consumer. */
  incSentUpdates(): void;
  /**
   * `prometheus_sd_updates_delayed_total`: an update that could not go out at once and was merged into
   * the next throttle tick.
   */
  incDelayedUpdates(): void;
  /** `prometheus_sd_refresh_duration_seconds{mechanism, config}` for refresh-based providers (file, http). */
  observeRefreshDuration(mechanism: string, config: string, seconds: number): void;
  /** `prometheus_sd_refresh_failures_total{mechanism, config}`. */
  incRefreshFailures(mechanism: string, config: string): void;
  /** `prometheus_sd_file_read_errors_total`. */
  incFileReadErrors(): void;
  /** `prometheus_sd_file_scan_duration_seconds`. */
  observeFileScanDuration(seconds: number): void;
  /** `prometheus_sd_file_watcher_errors_total`. */
  incFileWatcherErrors(): void;
  /** `prometheus_sd_http_failures_total`. */
  incHttpFailures(): void;
  /**
   * `prometheus_sd_kubernetes_events_total{role, event}` (`event` is `add` / `update` / `delete`).
   * Optional so implementations written before Kubernetes SD was wired keep compiling.
   */
  incKubernetesEvents?(role: string, event: string): void;
  /** `prometheus_sd_kubernetes_failures_total`: failed lists and watches. Optional, as above. */
  incKubernetesFailures?(): void;
}

const noop = (): void => {};

/** A {@link DiscoveryMetrics} that records nothing: the default wherever metrics are optional. */
export const noopDiscoveryMetrics: DiscoveryMetrics = Object.freeze({
  setDiscoveredTargets: noop,
  deleteJob: noop,
  setLastUpdateTimestamp: noop,
  setFailedConfigs: noop,
  incReceivedUpdates: noop,
  incSentUpdates: noop,
  incDelayedUpdates: noop,
  observeRefreshDuration: noop,
  incRefreshFailures: noop,
  incFileReadErrors: noop,
  observeFileScanDuration: noop,
  incFileWatcherErrors: noop,
  incHttpFailures: noop,
});
