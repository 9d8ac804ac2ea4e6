import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { dumpConfigYaml, loadConfigFile, type PrometheusConfig, watchConfig } from '@scrapewire/config';
import { discoverTargets } from '@scrapewire/discovery';
import { Labels, type Logger, noopLogger } from '@scrapewire/model';
import { createScrapeManager, type ScrapeReport } from '@scrapewire/scrape';
import {
  type Appendable,
  fanout,
  formatFederation,
  type LatestSample,
  MemoryStorage,
} from '@scrapewire/storage';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { map, type OperatorFunction, ReplaySubject, type Subscription } from 'rxjs';
import { createPromDiscoveryMetrics } from '../metrics/prom-discovery-metrics.js';
import { createPromRemoteWriteMetrics } from '../metrics/prom-remote-write-metrics.js';
import { createPromScrapeMetrics } from '../metrics/prom-scrape-metrics.js';
import { parseSeriesSelector } from '../series-selector.js';
import type { AgentView, TargetsSnapshot } from '../web/agent-view.js';
import { createAgentServer } from '../web/server.js';
import { agentDiscovererRegistry } from './kubernetes-sd.js';
import { RemoteWrites } from './remote-writes.js';

export interface AgentOptions {
  /** The Prometheus configuration file. */
  readonly configFile: string;
  /** `host:port` to serve the HTTP API on; port 0 picks a free one. */
  readonly listenAddress: string;
  /** Allows `POST /-/reload` and `POST /-/quit`. @defaultValue false */
  readonly enableLifecycle?: boolean;
  /** @defaultValue noopLogger */
  readonly logger?: Logger;
  /** History kept by the embedded in-memory store. @defaultValue 5 minutes, the lookback `/federate` needs */
  readonly memoryRetentionMs?: number;
  /** Series limit of the embedded in-memory store. @defaultValue 1 000 000 */
  readonly memoryMaxSeries?: number;
  /**
   * Newest points the embedded store keeps per series. `/federate` needs one; more costs 16 bytes a point
   * per series (at a 1 s interval and 5 m retention, ~5 KB per series). @defaultValue 1
   */
  readonly memoryPointsPerSeries?: number;
  /** How long shutdown waits for remote write to deliver what it holds. @defaultValue 10 s */
  readonly shutdownFlushDeadlineMs?: number;
  /** Prometheus's `--scrape.discovery-reload-interval`. @defaultValue 5 s */
  readonly scrapeReloadIntervalMs?: number;
  /** The discovery manager's update throttle. @defaultValue 5 s */
  readonly discoveryUpdateIntervalMs?: number;
  /** Extra steps on the stream of scrape reports, e.g. to log or export them. */
  readonly reportPipeline?: OperatorFunction<ScrapeReport, unknown>;
  /** Called by `POST /-/quit`. */
  readonly onQuit?: () => void;
}

export interface RunningAgent {
  /** `http://host:port` the HTTP API listens on. */
  readonly url: string;
  /** The embedded in-memory store every scrape is written to. */
  readonly storage: MemoryStorage;
  /** The agent's own metrics registry. */
  readonly registry: Registry;
  /** Reloads the config file now; rejects (and keeps the running config) when it is bad. */
  reload(): Promise<void>;
  /** Stops scraping, flushes remote write within its deadline and closes the HTTP server. */
  stop(): Promise<void>;
}

/**
 * Starts the scrapewire agent: config watch → discovery → relabel → scrape → storage (the in-memory store,
 * plus remote write when configured), and the HTTP API. Resolves once the first config is applied and the
 * server listens; rejects if the config file is bad at startup, as Prometheus refuses to start.
 */
export async function startAgent(options: AgentOptions): Promise<RunningAgent> {
  const logger = options.logger ?? noopLogger;
  const configFile = resolve(options.configFile);
  const baseDir = dirname(configFile);

  // Fail fast on a bad file, before anything starts.
  let current: PrometheusConfig = await loadConfigFile(configFile, { baseDir });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const reloadSuccessful = new Gauge({
    name: 'prometheus_config_last_reload_successful',
    help: '1 if the most recent attempt to load the configuration file succeeded, 0 if it failed.',
    registers: [registry],
  });
  const reloadTimestamp = new Gauge({
    name: 'prometheus_config_last_reload_success_timestamp_seconds',
    help: 'Unix time in seconds of the most recent configuration load that succeeded.',
    registers: [registry],
  });

  const storage = new MemoryStorage({
    retentionMs: options.memoryRetentionMs ?? 5 * 60 * 1000,
    maxSeries: options.memoryMaxSeries ?? 1_000_000,
    maxPointsPerSeries: options.memoryPointsPerSeries ?? 1,
  });
  const remoteWrites = new RemoteWrites(
    createPromRemoteWriteMetrics(registry),
    logger,
    options.shutdownFlushDeadlineMs ?? 10_000,
  );
  // The scrape manager keeps one Appendable for its lifetime; this one follows remote_write changes.
  let target: Appendable = storage;
  const appendable: Appendable = { appender: () => target.appender() };

  const config$ = new ReplaySubject<PrometheusConfig>(1);
  const apply = async (config: PrometheusConfig) => {
    current = config;
    await remoteWrites.apply(config);
    const queues = remoteWrites.queues();
    target = queues.length > 0 ? fanout(storage, ...queues) : storage;
    config$.next(config);
    reloadSuccessful.set(1);
    reloadTimestamp.set(Date.now() / 1000);
    logger.info(
      { file: configFile, jobs: config.scrapeConfigs.length },
      'Completed loading of configuration file',
    );
  };
  const failed = (err: unknown) => {
    reloadSuccessful.set(0);
    logger.error(
      { file: configFile, err: err instanceof Error ? err.message : String(err) },
      'Error reloading config',
    );
  };
  await apply(current);

  const subscriptions: Subscription[] = [];
  // File changes and SIGHUP. The first event repeats the load above; applying it again is a no-op below.
  let lastHash: string | undefined;
  subscriptions.push(
    watchConfig(configFile, { baseDir }).subscribe((event) => {
      if (!event.ok) return failed(event.error);
      if (lastHash === undefined) {
        lastHash = event.hash;
        return;
      }
      lastHash = event.hash;
      apply(event.config).catch(failed);
    }),
  );

  const scrapeConfigs$ = config$.pipe(map((c) => c.scrapeConfigs));
  const targetSets$ = discoverTargets(scrapeConfigs$, {
    registry: agentDiscovererRegistry(registry),
    logger,
    metrics: createPromDiscoveryMetrics(registry),
    baseDir,
    ...(options.discoveryUpdateIntervalMs !== undefined
      ? { updateIntervalMs: options.discoveryUpdateIntervalMs }
      : {}),
  });
  const manager = createScrapeManager({
    appendable,
    logger,
    metrics: createPromScrapeMetrics(registry),
    userAgent: 'scrapewire',
    ...(options.scrapeReloadIntervalMs !== undefined
      ? { reloadIntervalMs: options.scrapeReloadIntervalMs }
      : {}),
  });
  const reports$ = manager.run(targetSets$, scrapeConfigs$);
  subscriptions.push(
    (options.reportPipeline ? reports$.pipe(options.reportPipeline) : reports$).subscribe({
      error: (err: unknown) => logger.error({ err: String(err) }, 'Scrape manager stopped'),
    }),
  );

  const reload = async () => {
    try {
      const config = await loadConfigFile(configFile, { baseDir });
      await apply(config);
    } catch (err) {
      failed(err);
      throw err;
    }
  };

  const view: AgentView = {
    targets: () => targetsSnapshot(manager.targets()),
    configYaml: () => dumpConfigYaml(current),
    isReady: () => true,
    reload,
    federate: (selectors) => federate(storage, selectors, current.global.externalLabels),
    metrics: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
  const server: Server = createAgentServer(view, {
    enableLifecycle: options.enableLifecycle ?? false,
    logger,
    ...(options.onQuit ? { onQuit: options.onQuit } : {}),
  });
  const { host, port } = splitHostPort(options.listenAddress);
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(port, host, () => {
      server.off('error', rej);
      res();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ address: url }, 'Listening');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info({}, 'Stopping scrape loops and flushing remote write');
      for (const s of subscriptions) s.unsubscribe();
      await remoteWrites.closeAll();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      logger.info({}, 'Agent stopped');
    })();
    return stopping;
  };

  return { url, storage, registry, reload, stop };
}

/** Splits `host:port`, `:port` or `[v6]:port`. */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!m) throw new Error(`invalid listen address ${JSON.stringify(address)}: want host:port`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: Number(m[3]) };
}

function targetsSnapshot(
  pools: ReturnType<ReturnType<typeof createScrapeManager>['targets']>,
): TargetsSnapshot {
  const active = [];
  const dropped = [];
  const droppedCounts: Record<string, number> = {};
  for (const [job, pool] of pools) {
    active.push(...pool.active);
    dropped.push(...pool.dropped);
    droppedCounts[job] = pool.droppedCount;
  }
  return { active, dropped, droppedCounts };
}

/**
 * `/federate`: the newest sample of every series matching any selector, with the external labels added
 * where a series lacks them, as Prometheus federates.
 */
function federate(
  storage: MemoryStorage,
  selectors: readonly string[],
  externalLabels: Readonly<Record<string, string>>,
): string {
  const seen = new Map<string, LatestSample>();
  for (const selector of selectors) {
    for (const s of storage.latest(parseSeriesSelector(selector))) seen.set(s.labels.key(), s);
  }
  const external = Object.entries(externalLabels);
  const withExternal = [...seen.values()].map((s) => {
    if (external.length === 0) return s;
    const b = s.labels.builder();
    for (const [k, v] of external) if (!s.labels.has(k)) b.set(k, v);
    return { labels: b.labels(), sample: s.sample };
  });
  return formatFederation(withExternal.sort((a, b) => Labels.compare(a.labels, b.labels)));
}
