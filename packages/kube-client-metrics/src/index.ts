/* Hooks (client-go tools/metrics) */
export type {
  KubeClientMetricsHooks,
  LatencyMetric,
  ResultMetric,
  RetryMetric,
  SizeMetric,
} from './hooks.js';
export { ERROR_CODE, noopLatencyMetric, noopResultMetric, noopRetryMetric, noopSizeMetric } from './hooks.js';

/* Logging */
export type { KubeClientMetricsLogger } from './logger.js';

/* Registration */
export type { KubeClientMetrics, KubeClientMetricsOptions } from './kube-client-metrics.js';
export {
  createKubeClientMetrics,
  defaultKubeClientMetrics,
  register,
  setWorkqueueProvider,
} from './kube-client-metrics.js';

/* Instrumenting @kubernetes/client-node */
export type { InstrumentedKubeConfig, InstrumentKubeConfigOptions } from './instrument-kube-config.js';
export { instrumentKubeConfig } from './instrument-kube-config.js';
export type { InstrumentHttpLibraryOptions } from './instrumented-http-library.js';
export { instrumentHttpLibrary } from './instrumented-http-library.js';
export type { InstrumentedWatchOptions } from './instrumented-watch.js';
export { InstrumentedWatch } from './instrumented-watch.js';
export type { RequestObservation } from './observe-request.js';
export { observeRequest } from './observe-request.js';
export type { KubernetesSdHooks, KubernetesSdHooksOptions } from './sd-hooks-bridge.js';
export { createKubernetesSdHooks } from './sd-hooks-bridge.js';

/* URL templates */
export type { RequestUrlParts } from './url-template.js';
export { formatUrlTemplate, kubernetesVerb, urlTemplate } from './url-template.js';

/* Work queues (client-go util/workqueue) */
export type {
  CounterMetric,
  GaugeMetric,
  HistogramMetric,
  SettableGaugeMetric,
  WorkqueueMetrics,
  WorkqueueMetricsOptions,
  WorkqueueMetricsProvider,
} from './workqueue.js';
export { createWorkqueueMetrics, noopWorkqueueMetricsProvider } from './workqueue.js';
