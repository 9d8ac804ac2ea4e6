import { Counter, Gauge, Histogram, type Registry, register as globalRegistry, Summary } from 'prom-client';
import { KubeClientMetricsOptionsError } from './errors.js';
import type { KubeClientMetricsHooks } from './hooks.js';
import type { WorkqueueMetricsProvider } from './workqueue.js';

export { KubeClientMetricsOptionsError } from './errors.js';

/**
 * Request-duration buckets of Kubernetes' `rest_client_request_duration_seconds`
 * (component-base `metrics/prometheus/restclient`).
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60,
]);

/** Size buckets of Kubernetes' `rest_client_{request,response}_size_bytes`: 64 B × 4ⁿ up to 16 MiB. */
export const DEFAULT_SIZE_BUCKETS: readonly number[] = Object.freeze(
  Array.from({ length: 10 }, (_, i) => 64 * 4 ** i),
);

/** Work-queue duration buckets of Kubernetes' `workqueue_*_duration_seconds`: 10 buckets from 1e-8, ×10. */
export const DEFAULT_WORKQUEUE_BUCKETS: readonly number[] = Object.freeze(
  Array.from({ length: 10 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1))),
);

/** Help text of the work-queue metrics, shared by both naming schemes. */
const WORKQUEUE_HELP = {
  depth: 'Items currently waiting in the named work queue.',
  adds: 'Count of items placed in the work queue that were not already waiting in it.',
  wait: 'Seconds an item waited in the work queue before a worker took it.',
  work: 'Seconds a worker spent on one item taken from the work queue.',
  unfinished: 'Sum of the ages, in seconds, of the items workers are processing right now.',
  longest: 'Age in seconds of the oldest item a worker is still processing.',
  retries: 'Count of items put back in the work queue for another attempt.',
} as const;

/** Options shared by the prom-client adapters. */
export interface PromClientAdapterOptions {
  /** The registry to register in. @defaultValue prom-client's global `register` */
  readonly registry?: Registry | undefined;
  /** Prepended to every metric name; must match `[a-zA-Z_:][a-zA-Z0-9_:]*` or be empty. */
  readonly prefix?: string | undefined;
  /** Labels with fixed values added to every series (e.g. `{ component: 'agent' }`). @defaultValue `{}` */
  readonly constLabels?: Readonly<Record<string, string>> | undefined;
}

/** Options of {@link createRestClientMetrics}. */
export interface RestClientMetricsOptions extends PromClientAdapterOptions {
  /** @defaultValue `'rest_client_'` */
  readonly prefix?: string | undefined;
  /** Buckets of `request_duration_seconds`. @defaultValue {@link DEFAULT_DURATION_BUCKETS} */
  readonly durationBuckets?: readonly number[] | undefined;
  /** Buckets of `request_size_bytes` and `response_size_bytes`. @defaultValue {@link DEFAULT_SIZE_BUCKETS} */
  readonly sizeBuckets?: readonly number[] | undefined;
  /**
   * The second label of `request_duration_seconds`: `url` (the URL template, what Kubernetes components
   * exported for years and what the kubernetes-mixin dashboards group by) or `host` (what current
   * component-base exports, bounded by the number of API servers).
   * @defaultValue `'url'`
   */
  readonly durationLabel?: 'url' | 'host' | undefined;
}

/** Options of {@link createWorkqueueMetricsProvider}. */
export interface WorkqueueProviderOptions extends PromClientAdapterOptions {
  /** @defaultValue `'workqueue_'` */
  readonly prefix?: string | undefined;
  /** Buckets of the queue and work duration histograms. @defaultValue {@link DEFAULT_WORKQUEUE_BUCKETS} */
  readonly buckets?: readonly number[] | undefined;
}

/** What {@link createPrometheusSdMetrics} returns: both halves to register. */
export interface PrometheusSdMetrics {
  /** Pass to `register()` / `KubeClientMetrics.register()`. */
  readonly hooks: KubeClientMetricsHooks;
  /** Pass to `setWorkqueueProvider()` / `KubeClientMetrics.setWorkqueueProvider()`. */
  readonly workqueueProvider: WorkqueueMetricsProvider;
}

const METRIC_NAME_PREFIX = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Resolved {
  readonly registers: Registry[];
  readonly prefix: string;
  readonly constLabels: Readonly<Record<string, string>>;
  readonly constNames: string[];
}

function resolveCommon(
  options: PromClientAdapterOptions,
  defaultPrefix: string,
  reserved: string[],
): Resolved {
  const prefix = options.prefix ?? defaultPrefix;
  if (!METRIC_NAME_PREFIX.test(prefix)) {
    throw new KubeClientMetricsOptionsError(
      `metric name prefix ${JSON.stringify(prefix)} is not a valid metric name start`,
      'prefix',
    );
  }
  const constLabels = { ...(options.constLabels ?? {}) };
  for (const name of Object.keys(constLabels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new KubeClientMetricsOptionsError(
        `constant label name ${JSON.stringify(name)} is not a valid label name`,
        `constLabels.${name}`,
      );
    }
    if (reserved.includes(name)) {
      throw new KubeClientMetricsOptionsError(
        `constant label ${JSON.stringify(name)} clashes with a label the metrics set`,
        `constLabels.${name}`,
      );
    }
  }
  return {
    registers: [options.registry ?? globalRegistry],
    prefix,
    constLabels,
    constNames: Object.keys(constLabels),
  };
}

function checkBuckets(buckets: readonly number[], path: string): number[] {
  if (buckets.length === 0) throw new KubeClientMetricsOptionsError('buckets must not be empty', path);
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i]!;
    if (!Number.isFinite(b))
      throw new KubeClientMetricsOptionsError(`bucket ${b} must be a finite number`, `${path}[${i}]`);
    if (i > 0 && b <= buckets[i - 1]!) {
      throw new KubeClientMetricsOptionsError('buckets must be strictly increasing', `${path}[${i}]`);
    }
  }
  return [...buckets];
}

/**
 * Registers the request metrics under the names Kubernetes components use, so existing dashboards work,
 * and returns the hooks that feed them:
 *
 * | metric | type | labels |
 * | --- | --- | --- |
 * | `rest_client_requests_total` | counter | code, method, host |
 * | `rest_client_request_duration_seconds` | histogram | verb, url (or host) |
 * | `rest_client_request_size_bytes` | histogram | verb, host |
 * | `rest_client_response_size_bytes` | histogram | verb, host |
 * | `rest_client_request_retries_total` | counter | code, verb, host |
 *
 * @throws {KubeClientMetricsOptionsError} for a bad prefix, label name or bucket list; prom-client throws if a
 *   metric of the same name is already in the registry.
 * @example
 * ```ts
 * import { register } from '@scrapewire/kube-client-metrics';
 * import { createRestClientMetrics } from '@scrapewire/kube-client-metrics/prom-client';
 * register(createRestClientMetrics());
 * ```
 */
export function createRestClientMetrics(options: RestClientMetricsOptions = {}): KubeClientMetricsHooks {
  const c = resolveCommon(options, 'rest_client_', ['code', 'method', 'host', 'verb', 'url']);
  const durationBuckets = checkBuckets(
    options.durationBuckets ?? DEFAULT_DURATION_BUCKETS,
    'durationBuckets',
  );
  const sizeBuckets = checkBuckets(options.sizeBuckets ?? DEFAULT_SIZE_BUCKETS, 'sizeBuckets');
  const durationLabel = options.durationLabel ?? 'url';
  if (durationLabel !== 'url' && durationLabel !== 'host') {
    throw new KubeClientMetricsOptionsError(
      `durationLabel must be "url" or "host", not ${JSON.stringify(durationLabel)}`,
      'durationLabel',
    );
  }
  const k = c.constLabels;

  const requests = new Counter({
    name: `${c.prefix}requests_total`,
    help: 'Kubernetes API calls made by this client, counted by response code, HTTP method and API host.',
    labelNames: [...c.constNames, 'code', 'method', 'host'],
    registers: c.registers,
  });
  const duration = new Histogram({
    name: `${c.prefix}request_duration_seconds`,
    help: `Seconds until a non-watch Kubernetes API call had its whole response read or failed, by verb and ${durationLabel}.`,
    labelNames: [...c.constNames, 'verb', durationLabel],
    buckets: durationBuckets,
    registers: c.registers,
  });
  const requestSize = new Histogram({
    name: `${c.prefix}request_size_bytes`,
    help: 'Size in bytes of each non-watch request body sent to the Kubernetes API, by verb and host.',
    labelNames: [...c.constNames, 'verb', 'host'],
    buckets: sizeBuckets,
    registers: c.registers,
  });
  const responseSize = new Histogram({
    name: `${c.prefix}response_size_bytes`,
    help: 'Size in bytes of each non-watch response body read from the Kubernetes API, by verb and host.',
    labelNames: [...c.constNames, 'verb', 'host'],
    buckets: sizeBuckets,
    registers: c.registers,
  });
  const retries = new Counter({
    name: `${c.prefix}request_retries_total`,
    help: 'Kubernetes API calls repeated after a failed attempt, counted by response code, verb and API host.',
    labelNames: [...c.constNames, 'code', 'verb', 'host'],
    registers: c.registers,
  });

  return {
    requestResult: { increment: (code, method, host) => requests.inc({ ...k, code, method, host }) },
    requestLatency: {
      observe: (verb, url, seconds) =>
        duration.observe(
          durationLabel === 'url' ? { ...k, verb, url } : { ...k, verb, host: hostOfTemplate(url) },
          seconds,
        ),
    },
    requestSize: { observe: (verb, host, bytes) => requestSize.observe({ ...k, verb, host }, bytes) },
    responseSize: { observe: (verb, host, bytes) => responseSize.observe({ ...k, verb, host }, bytes) },
    requestRetry: { incrementRetry: (code, verb, host) => retries.inc({ ...k, code, verb, host }) },
  };
}

/**
 * Registers Kubernetes' work-queue metrics (`workqueue_depth`, `workqueue_adds_total`,
 * `workqueue_queue_duration_seconds`, `workqueue_work_duration_seconds`,
 * `workqueue_unfinished_work_seconds`, `workqueue_longest_running_processor_seconds`,
 * `workqueue_retries_total`, each labelled `name`) and returns a provider feeding them.
 *
 * @throws {KubeClientMetricsOptionsError} for a bad prefix, label name or bucket list.
 */
export function createWorkqueueMetricsProvider(
  options: WorkqueueProviderOptions = {},
): WorkqueueMetricsProvider {
  const c = resolveCommon(options, 'workqueue_', ['name']);
  const buckets = checkBuckets(options.buckets ?? DEFAULT_WORKQUEUE_BUCKETS, 'buckets');
  const labelNames = [...c.constNames, 'name'];
  const r = c.registers;
  const depth = new Gauge({
    name: `${c.prefix}depth`,
    help: WORKQUEUE_HELP.depth,
    labelNames,
    registers: r,
  });
  const adds = new Counter({
    name: `${c.prefix}adds_total`,
    help: WORKQUEUE_HELP.adds,
    labelNames,
    registers: r,
  });
  const latency = new Histogram({
    name: `${c.prefix}queue_duration_seconds`,
    help: WORKQUEUE_HELP.wait,
    labelNames,
    buckets,
    registers: r,
  });
  const work = new Histogram({
    name: `${c.prefix}work_duration_seconds`,
    help: WORKQUEUE_HELP.work,
    labelNames,
    buckets,
    registers: r,
  });
  const unfinished = new Gauge({
    name: `${c.prefix}unfinished_work_seconds`,
    help: WORKQUEUE_HELP.unfinished,
    labelNames,
    registers: r,
  });
  const longest = new Gauge({
    name: `${c.prefix}longest_running_processor_seconds`,
    help: WORKQUEUE_HELP.longest,
    labelNames,
    registers: r,
  });
  const retries = new Counter({
    name: `${c.prefix}retries_total`,
    help: WORKQUEUE_HELP.retries,
    labelNames,
    registers: r,
  });
  return providerFrom(c.constLabels, 'name', { depth, adds, latency, work, unfinished, longest, retries });
}

/**
 * Registers the client metrics in the shapes Prometheus's own Kubernetes service discovery exports, so an
 * agent built on scrapewire reports what Prometheus reports:
 *
 * | metric (default prefix `prometheus_sd_kubernetes_`) | type | labels |
 * | --- | --- | --- |
 * | `http_request_total` | counter | status_code |
 * | `http_request_duration_seconds` | summary without quantiles | endpoint (escaped path template) |
 * | `workqueue_depth` | gauge | queue_name |
 * | `workqueue_items_total` | counter | queue_name |
 * | `workqueue_latency_seconds` | summary without quantiles | queue_name |
 * | `workqueue_work_duration_seconds` | summary without quantiles | queue_name |
 * | `workqueue_unfinished_work_seconds` | gauge | queue_name |
 * | `workqueue_longest_running_processor_seconds` | gauge | queue_name |
 *
 * As in Prometheus, method, host and verb are dropped, sizes are not exported, and work-queue retries are
 * a no-op.
 *
 * @throws {KubeClientMetricsOptionsError} for a bad prefix or label name.
 */
export function createPrometheusSdMetrics(options: PromClientAdapterOptions = {}): PrometheusSdMetrics {
  const c = resolveCommon(options, 'prometheus_sd_kubernetes_', ['status_code', 'endpoint', 'queue_name']);
  const k = c.constLabels;
  const r = c.registers;
  const requests = new Counter({
    name: `${c.prefix}http_request_total`,
    help: 'Kubernetes API calls made by service discovery, counted by response status code.',
    labelNames: [...c.constNames, 'status_code'],
    registers: r,
  });
  const duration = new Summary({
    name: `${c.prefix}http_request_duration_seconds`,
    help: 'Seconds until a non-watch Kubernetes API call from service discovery had its whole response read or failed, by path template.',
    labelNames: [...c.constNames, 'endpoint'],
    percentiles: [],
    registers: r,
  });
  const labelNames = [...c.constNames, 'queue_name'];
  const depth = new Gauge({
    name: `${c.prefix}workqueue_depth`,
    help: WORKQUEUE_HELP.depth,
    labelNames,
    registers: r,
  });
  const adds = new Counter({
    name: `${c.prefix}workqueue_items_total`,
    help: WORKQUEUE_HELP.adds,
    labelNames,
    registers: r,
  });
  const latency = new Summary({
    name: `${c.prefix}workqueue_latency_seconds`,
    help: WORKQUEUE_HELP.wait,
    labelNames,
    percentiles: [],
    registers: r,
  });
  const work = new Summary({
    name: `${c.prefix}workqueue_work_duration_seconds`,
    help: WORKQUEUE_HELP.work,
    labelNames,
    percentiles: [],
    registers: r,
  });
  const unfinished = new Gauge({
    name: `${c.prefix}workqueue_unfinished_work_seconds`,
    help: WORKQUEUE_HELP.unfinished,
    labelNames,
    registers: r,
  });
  const longest = new Gauge({
    name: `${c.prefix}workqueue_longest_running_processor_seconds`,
    help: WORKQUEUE_HELP.longest,
    labelNames,
    registers: r,
  });
  return {
    hooks: {
      requestResult: { increment: (code) => requests.inc({ ...k, status_code: code }) },
      requestLatency: {
        observe: (_verb, url, seconds) => duration.observe({ ...k, endpoint: pathOfTemplate(url) }, seconds),
      },
    },
    workqueueProvider: providerFrom(k, 'queue_name', { depth, adds, latency, work, unfinished, longest }),
  };
}

interface QueueCollectors {
  depth: Gauge;
  adds: Counter;
  latency: Histogram | Summary;
  work: Histogram | Summary;
  unfinished: Gauge;
  longest: Gauge;
  retries?: Counter;
}

function providerFrom(
  constLabels: Readonly<Record<string, string>>,
  nameLabel: string,
  m: QueueCollectors,
): WorkqueueMetricsProvider {
  const labels = (name: string) => ({ ...constLabels, [nameLabel]: name });
  return {
    newDepthMetric: (name) => {
      const g = m.depth.labels(labels(name));
      return { inc: () => g.inc(), dec: () => g.dec() };
    },
    newAddsMetric: (name) => {
      const ctr = m.adds.labels(labels(name));
      return { inc: () => ctr.inc() };
    },
    newLatencyMetric: (name) => {
      const h = m.latency.labels(labels(name));
      return { observe: (s) => h.observe(s) };
    },
    newWorkDurationMetric: (name) => {
      const h = m.work.labels(labels(name));
      return { observe: (s) => h.observe(s) };
    },
    newUnfinishedWorkSecondsMetric: (name) => {
      const g = m.unfinished.labels(labels(name));
      return { set: (v) => g.set(v) };
    },
    newLongestRunningProcessorSecondsMetric: (name) => {
      const g = m.longest.labels(labels(name));
      return { set: (v) => g.set(v) };
    },
    newRetriesMetric: (name) => {
      const retries = m.retries;
      if (!retries) return { inc: () => {} };
      const ctr = retries.labels(labels(name));
      return { inc: () => ctr.inc() };
    },
  };
}

/** `host[:port]` of a templated URL (`https://h:6443/api/...` → `h:6443`). */
function hostOfTemplate(url: string): string {
  const start = url.indexOf('://');
  if (start < 0) return 'none';
  const from = start + 3;
  let end = url.length;
  for (const ch of ['/', '?', '#']) {
    const i = url.indexOf(ch, from);
    if (i >= 0 && i < end) end = i;
  }
  return url.slice(from, end) || 'none';
}

/** The escaped path of a templated URL, Go's `URL.EscapedPath()`, which Prometheus labels `endpoint` with. */
function pathOfTemplate(url: string): string {
  const start = url.indexOf('://');
  const from = start < 0 ? 0 : start + 3;
  let end = url.length;
  for (const ch of ['?', '#']) {
    const i = url.indexOf(ch, from);
    if (i >= 0 && i < end) end = i;
  }
  const slash = url.indexOf('/', from);
  if (slash < 0 || slash >= end) return start < 0 ? url.slice(0, end) : '';
  return url.slice(slash, end);
}
