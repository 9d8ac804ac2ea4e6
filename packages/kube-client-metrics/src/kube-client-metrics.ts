import { type KubeClientMetricsLogger, silentLogger } from './logger.js';
import {
  type KubeClientMetricsHooks,
  type LatencyMetric,
  noopLatencyMetric,
  noopResultMetric,
  noopRetryMetric,
  noopSizeMetric,
  type ResultMetric,
  type RetryMetric,
  type SizeMetric,
} from './hooks.js';
import { noopWorkqueueMetricsProvider, type WorkqueueMetricsProvider } from './workqueue.js';

/**
 * One set of client-go style hooks: request latency, result, sizes and retries, plus a work-queue metrics
 * provider. Every hook starts as a no-op; {@link KubeClientMetrics.register} replaces them once.
 *
 * Instrumented clients read the hooks at call time, so hooks registered after a client was created still
 * see its later requests (as with client-go's package-level variables).
 */
export interface KubeClientMetrics {
  /** The current latency hook (a no-op until registered). */
  readonly requestLatency: LatencyMetric;
  /** The current result hook. */
  readonly requestResult: ResultMetric;
  /** The current request-size hook. */
  readonly requestSize: SizeMetric;
  /** The current response-size hook. */
  readonly responseSize: SizeMetric;
  /** The current retry hook. */
  readonly requestRetry: RetryMetric;
  /** The current work-queue metrics provider. */
  readonly workqueueProvider: WorkqueueMetricsProvider;
  /**
   * True once {@link KubeClientMetrics.register} has succeeded. Instrumentation checks it first and skips
   * all work (URL templating, size counting) while nothing is registered.
   */
  readonly registered: boolean;
  /**
   * Installs the hooks, once, like client-go's `metrics.Register` (a `sync.Once`): the first call wins,
   * fields it leaves out stay no-ops, and every later call changes nothing, logs a warning and returns
   * false.
   *
   * @returns true if these hooks were installed.
   */
  register(hooks: KubeClientMetricsHooks): boolean;
  /**
   * Installs the work-queue metrics provider, once, like client-go's `workqueue.SetProvider`. Queues read
   * the provider when they are created, so set it before creating them.
   *
   * @returns true if this provider was installed.
   */
  setWorkqueueProvider(provider: WorkqueueMetricsProvider): boolean;
}

/** Options of {@link createKubeClientMetrics}. */
export interface KubeClientMetricsOptions {
  /** Where the "already registered" warnings and hook failures go. @defaultValue `silentLogger` */
  readonly logger?: KubeClientMetricsLogger | undefined;
}

class KubeClientMetricsImpl implements KubeClientMetrics {
  requestLatency: LatencyMetric = noopLatencyMetric;
  requestResult: ResultMetric = noopResultMetric;
  requestSize: SizeMetric = noopSizeMetric;
  responseSize: SizeMetric = noopSizeMetric;
  requestRetry: RetryMetric = noopRetryMetric;
  workqueueProvider: WorkqueueMetricsProvider = noopWorkqueueMetricsProvider;
  registered = false;
  private providerSet = false;

  constructor(private readonly logger: KubeClientMetricsLogger) {}

  register(hooks: KubeClientMetricsHooks): boolean {
    if (this.registered) {
      this.logger.warn(
        { component: 'kube-client-metrics' },
        'kube client metrics are already registered; ignoring this registration (only the first one takes effect)',
      );
      return false;
    }
    this.registered = true;
    if (hooks.requestLatency) this.requestLatency = hooks.requestLatency;
    if (hooks.requestResult) this.requestResult = hooks.requestResult;
    if (hooks.requestSize) this.requestSize = hooks.requestSize;
    if (hooks.responseSize) this.responseSize = hooks.responseSize;
    if (hooks.requestRetry) this.requestRetry = hooks.requestRetry;
    return true;
  }

  setWorkqueueProvider(provider: WorkqueueMetricsProvider): boolean {
    if (this.providerSet) {
      this.logger.warn(
        { component: 'kube-client-metrics' },
        'a workqueue metrics provider is already set; ignoring this one (only the first one takes effect)',
      );
      return false;
    }
    this.providerSet = true;
    this.workqueueProvider = provider;
    return true;
  }
}

/**
 * Creates an independent set of hooks. Pass it explicitly to {@link instrumentKubeConfig}; this is the
 * form library code should use, so that two embedders in one process never fight over one global.
 *
 * @example
 * ```ts
 * const metrics = createKubeClientMetrics({ logger });
 * metrics.register({ requestResult: { increment: (code, method, host) => console.log(code, method, host) } });
 * const client = instrumentKubeConfig(kc, { metrics });
 * ```
 */
export function createKubeClientMetrics(options: KubeClientMetricsOptions = {}): KubeClientMetrics {
  return new KubeClientMetricsImpl(options.logger ?? silentLogger);
}

/**
 * The process-wide instance, the counterpart of client-go's package-level hooks in `tools/metrics`.
 *
 * It exists because that is client-go's model and what Kubernetes users expect: an application registers
 * its metrics once at start-up and every client created anywhere in the process reports to them.
 * {@link instrumentKubeConfig} uses it when no `metrics` option is given. Libraries should prefer their own
 * {@link createKubeClientMetrics} instance, which is why this is the only module-level state in scrapewire.
 */
export const defaultKubeClientMetrics: KubeClientMetrics = createKubeClientMetrics();

/**
 * Registers hooks on {@link defaultKubeClientMetrics}, client-go's `metrics.Register`: the first call wins,
 * later ones are ignored, log a warning through `logger` if given, and return false.
 *
 * @returns true if these hooks were installed.
 */
export function register(hooks: KubeClientMetricsHooks, logger?: KubeClientMetricsLogger): boolean {
  if (defaultKubeClientMetrics.registered) {
    (logger ?? silentLogger).warn(
      { component: 'kube-client-metrics' },
      'kube client metrics are already registered; ignoring this registration (only the first one takes effect)',
    );
    return false;
  }
  return defaultKubeClientMetrics.register(hooks);
}

/**
 * Sets the work-queue provider of {@link defaultKubeClientMetrics}, client-go's `workqueue.SetProvider`:
 * once only; later calls are ignored, warn through `logger` if given, and return false.
 */
export function setWorkqueueProvider(
  provider: WorkqueueMetricsProvider,
  logger?: KubeClientMetricsLogger,
): boolean {
  const ok = defaultKubeClientMetrics.setWorkqueueProvider(provider);
  if (!ok) {
    (logger ?? silentLogger).warn(
      { component: 'kube-client-metrics' },
      'a workqueue metrics provider is already set; ignoring this one (only the first one takes effect)',
    );
  }
  return ok;
}
