/** A gauge that goes up and down by one, client-go workqueue's `GaugeMetric`. */
export interface GaugeMetric {
  inc(): void;
  dec(): void;
}

/** A gauge set to an absolute value, client-go workqueue's `SettableGaugeMetric`. */
export interface SettableGaugeMetric {
  set(value: number): void;
}

/** A monotonic counter, client-go workqueue's `CounterMetric`. */
export interface CounterMetric {
  inc(): void;
}

/** A distribution of durations in seconds, client-go workqueue's `HistogramMetric` (`SummaryMetric`). */
export interface HistogramMetric {
  observe(seconds: number): void;
}

/**
 * Creates the metrics of one named work queue, the shape of client-go's `workqueue.MetricsProvider`.
 *
 * Each method is called once per queue, when the queue is created, with the queue's name; a queue with
 * an empty name gets no metrics (client-go does the same).
 */
export interface WorkqueueMetricsProvider {
  /** Current number of items waiting in the queue. */
  newDepthMetric(name: string): GaugeMetric;
  /** Items added (only counted when the item was not already waiting). */
  newAddsMetric(name: string): CounterMetric;
  /** Seconds an item waited in the queue before being taken. */
  newLatencyMetric(name: string): HistogramMetric;
  /** Seconds spent processing an item. */
  newWorkDurationMetric(name: string): HistogramMetric;
  /** Sum of the ages of the items being processed right now, in seconds. */
  newUnfinishedWorkSecondsMetric(name: string): SettableGaugeMetric;
  /** Age of the longest-running item being processed right now, in seconds. */
  newLongestRunningProcessorSecondsMetric(name: string): SettableGaugeMetric;
  /** Items re-queued for a retry. */
  newRetriesMetric(name: string): CounterMetric;
}

const noop = (): void => {};
const noopGauge: GaugeMetric = Object.freeze({ inc: noop, dec: noop });
const noopSettable: SettableGaugeMetric = Object.freeze({ set: noop });
const noopCounter: CounterMetric = Object.freeze({ inc: noop });
const noopHistogram: HistogramMetric = Object.freeze({ observe: noop });

/** The provider every instance starts with: every metric it creates does nothing. */
export const noopWorkqueueMetricsProvider: WorkqueueMetricsProvider = Object.freeze({
  newDepthMetric: () => noopGauge,
  newAddsMetric: () => noopCounter,
  newLatencyMetric: () => noopHistogram,
  newWorkDurationMetric: () => noopHistogram,
  newUnfinishedWorkSecondsMetric: () => noopSettable,
  newLongestRunningProcessorSecondsMetric: () => noopSettable,
  newRetriesMetric: () => noopCounter,
});

/** Options of {@link createWorkqueueMetrics}. */
export interface WorkqueueMetricsOptions {
  /**
   * The clock, in milliseconds. Injected so tests can move time by hand.
   * @defaultValue `performance.now`
   * @internal
   */
  readonly now?: () => number;
}

/**
 * The bookkeeping a work queue does around its metrics, client-go's `queueMetrics`: call it from the
 * queue at the same points client-go does and it keeps depth, latency, work duration and the
 * unfinished-work gauges right.
 *
 * Items are compared by identity (`Map` keys), so use the queue's keys (e.g. `ns/name` strings).
 */
export interface WorkqueueMetrics<T> {
  /** The item was added and was not already waiting (client-go skips dirty items before this). */
  add(item: T): void;
  /** A worker took the item from the queue. */
  get(item: T): void;
  /** The worker finished the item. */
  done(item: T): void;
  /** The item was re-queued for a retry (client-go's rate-limited `AddRateLimited`). */
  retry(): void;
  /**
   * Refreshes the unfinished-work and longest-running-processor gauges. client-go does this every 500 ms;
   * the queue owner calls it on its own scheduler (e.g. an RxJS `interval(500)`), so no timer lives here.
   */
  updateUnfinishedWork(): void;
}

/**
 * Creates the bookkeeping for one named queue from a provider. With an empty `name` every call is a no-op,
 * as in client-go.
 *
 * @example
 * ```ts
 * const m = createWorkqueueMetrics(kubeClientMetrics.workqueueProvider, 'pod');
 * m.add('default/web-0'); m.get('default/web-0'); m.done('default/web-0');
 * ```
 */
export function createWorkqueueMetrics<T>(
  provider: WorkqueueMetricsProvider,
  name: string,
  options: WorkqueueMetricsOptions = {},
): WorkqueueMetrics<T> {
  const now = options.now ?? (() => performance.now());
  const p = name === '' ? noopWorkqueueMetricsProvider : provider;
  const depth = p.newDepthMetric(name);
  const adds = p.newAddsMetric(name);
  const latency = p.newLatencyMetric(name);
  const workDuration = p.newWorkDurationMetric(name);
  const unfinished = p.newUnfinishedWorkSecondsMetric(name);
  const longest = p.newLongestRunningProcessorSecondsMetric(name);
  const retries = p.newRetriesMetric(name);
  // When each waiting item was first added, and when each item in progress was taken.
  const addTimes = new Map<T, number>();
  const processingStartTimes = new Map<T, number>();

  return {
    add(item) {
      adds.inc();
      depth.inc();
      if (!addTimes.has(item)) addTimes.set(item, now());
    },
    get(item) {
      depth.dec();
      const t = now();
      processingStartTimes.set(item, t);
      const added = addTimes.get(item);
      if (added !== undefined) {
        latency.observe((t - added) / 1000);
        addTimes.delete(item);
      }
    },
    done(item) {
      const started = processingStartTimes.get(item);
      if (started !== undefined) {
        workDuration.observe((now() - started) / 1000);
        processingStartTimes.delete(item);
      }
    },
    retry() {
      retries.inc();
    },
    updateUnfinishedWork() {
      const t = now();
      let total = 0;
      let oldest = 0;
      for (const started of processingStartTimes.values()) {
        const age = t - started;
        total += age;
        if (age > oldest) oldest = age;
      }
      unfinished.set(total / 1000);
      longest.set(oldest / 1000);
    },
  };
}
