import type { KubeClientMetrics } from './kube-client-metrics.js';
import type { CounterMetric, GaugeMetric, HistogramMetric } from './workqueue.js';

/**
 * Event-style hooks, the shape scrapewire's Kubernetes service discovery (`@scrapewire/discovery`,
 * `KubeRequestHooks` and the work-queue part of `KubernetesSDMetrics`) calls. Declared here structurally,
 * so this package does not depend on discovery.
 */
export interface KubernetesSdHooks {
  /**
   * A request finished. `urlTemplate` is the templated path as client-go's metrics label it, braces escaped
   * (`/api/v1/namespaces/%7Bnamespace%7D/pods`, what {@link urlTemplate} returns as `path`); `code` the status as a string or `<error>`; `seconds` its duration. Pass `watch: true`
   * for a watch request, which then gets no latency (as in client-go); without it every request is timed.
   */
  onResult(
    verb: string,
    urlTemplate: string,
    host: string,
    code: string,
    seconds: number,
    watch?: boolean,
  ): void;
  /** A key was added to the named queue (and was not already waiting). */
  onQueueAdd(queueName: string): void;
  /** The named queue now holds `depth` keys. */
  onQueueDepth(queueName: string, depth: number): void;
  /** A key waited `seconds` in the named queue before it was processed. */
  onQueueLatency(queueName: string, seconds: number): void;
  /** Processing took `seconds`. */
  onWorkDuration(queueName: string, seconds: number): void;
}

/** Options of {@link createKubernetesSdHooks}. */
export interface KubernetesSdHooksOptions {
  /** Scheme put in front of `host` to build the URL the latency hook gets. @defaultValue `'https'` */
  readonly scheme?: 'http' | 'https' | undefined;
}

interface QueueState {
  depth: GaugeMetric;
  adds: CounterMetric;
  latency: HistogramMetric;
  work: HistogramMetric;
  lastDepth: number;
}

/**
 * Feeds the hooks and the work-queue provider of `metrics` from event-style calls, so the Kubernetes
 * discovery can report through this package without knowing its interfaces:
 *
 * ```ts
 * const sdHooks = createKubernetesSdHooks(metrics);
 * // pass sdHooks as discovery's request hooks and as (the queue part of) its SD metrics
 * ```
 *
 * Queue metrics are created from the provider the first time a queue name is seen, so set the provider
 * before the first event. Depth arrives as an absolute number and is turned into `inc`/`dec` calls. The
 * provider's unfinished-work, longest-running and retries metrics are not fed: the event shape has no
 * counterpart for them.
 */
export function createKubernetesSdHooks(
  metrics: KubeClientMetrics,
  options: KubernetesSdHooksOptions = {},
): KubernetesSdHooks {
  const scheme = options.scheme ?? 'https';
  const queues = new Map<string, QueueState>();
  const queue = (name: string): QueueState => {
    let q = queues.get(name);
    if (!q) {
      const p = metrics.workqueueProvider;
      q = {
        depth: p.newDepthMetric(name),
        adds: p.newAddsMetric(name),
        latency: p.newLatencyMetric(name),
        work: p.newWorkDurationMetric(name),
        lastDepth: 0,
      };
      queues.set(name, q);
    }
    return q;
  };
  return {
    onResult(verb, urlTemplate, host, code, seconds, watch) {
      if (!metrics.registered) return;
      const method = verb.toUpperCase();
      metrics.requestResult.increment(code, method, host);
      if (watch) return;
      metrics.requestLatency.observe(method, `${scheme}://${host}${urlTemplate}`, seconds);
    },
    onQueueAdd(name) {
      if (name !== '') queue(name).adds.inc();
    },
    onQueueDepth(name, depth) {
      if (name === '') return;
      const q = queue(name);
      for (; q.lastDepth < depth; q.lastDepth++) q.depth.inc();
      for (; q.lastDepth > depth; q.lastDepth--) q.depth.dec();
    },
    onQueueLatency(name, seconds) {
      if (name !== '') queue(name).latency.observe(seconds);
    },
    onWorkDuration(name, seconds) {
      if (name !== '') queue(name).work.observe(seconds);
    },
  };
}
