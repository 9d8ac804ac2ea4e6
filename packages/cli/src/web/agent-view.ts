/**
 * What the agent's web layer needs from the running pipeline. The HTTP handlers depend only on this, so
 * they are tested with a plain object and the agent wires in the real scrape manager, storage and config.
 */
export interface AgentView {
  /** Targets as the scrape manager sees them, in the shape of Prometheus's targets API. */
  targets(): TargetsSnapshot;
  /** The running configuration as YAML, secrets shown as `<secret>`. */
  configYaml(): string;
  /** True once the first configuration has been applied. */
  isReady(): boolean;
  /** Reloads the configuration file; rejects with the reason when the new file is bad. */
  reload(): Promise<void>;
  /** The latest samples of every series matching any of the selectors, in the text exposition format. */
  federate(selectors: readonly string[]): string;
  /** The agent's own metrics in the Prometheus text format. */
  metrics(): Promise<{ contentType: string; body: string }>;
}

export interface ActiveTargetView {
  readonly discoveredLabels: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly lastError: string;
  /** Milliseconds since the epoch; 0 before the first scrape. */
  readonly lastScrapeMs: number;
  readonly lastScrapeDurationMs: number;
  readonly health: 'up' | 'down' | 'unknown';
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export interface DroppedTargetView {
  readonly discoveredLabels: Readonly<Record<string, string>>;
  readonly scrapePool: string;
}

export interface TargetsSnapshot {
  readonly active: readonly ActiveTargetView[];
  readonly dropped: readonly DroppedTargetView[];
  /** Dropped targets per pool, counting those not kept because of `keep_dropped_targets`. */
  readonly droppedCounts: Readonly<Record<string, number>>;
}
