/* Manager */
export { discoverTargets, DEFAULT_DISCOVERY_UPDATE_INTERVAL_MS } from './manager.js';
export type { DiscoveryJob, DiscoverTargetsOptions } from './manager.js';

/* Discoverers and their registry */
export type {
  Discoverer,
  DiscovererContext,
  DiscovererConfigs,
  DiscovererFactory,
  DiscoveryMechanism,
} from './discoverer.js';
export {
  DiscovererRegistry,
  createDiscovererRegistry,
  createDefaultDiscovererRegistry,
  kubernetesDiscovererFromContext,
} from './registry.js';
export { staticDiscoverer } from './static-discoverer.js';
export {
  fileDiscoverer,
  readTargetGroupFile,
  fileSource,
  FILE_SD_FILEPATH_LABEL,
} from './file-discoverer.js';
export { httpDiscoverer, urlSource, HTTP_SD_URL_LABEL, HTTP_SD_USER_AGENT } from './http-discoverer.js';
export { parseTargetGroupsJson, parseTargetGroupsYaml } from './target-group-parse.js';
export type { ParsedTargetGroup } from './target-group-parse.js';

/* Kubernetes service discovery */
export {
  kubernetesDiscoverer,
  DEFAULT_KUBERNETES_DISCOVERER_CONTEXT,
  kubeConfigForUrl,
  urlTemplate,
  KubernetesApiError,
  WatchInactivityError,
} from './kubernetes/index.js';
export type {
  KubernetesDiscovererContext,
  KubernetesSDMetrics,
  KubeRequestHooks,
  KubernetesEventKind,
} from './kubernetes/index.js';

/* Metrics */
export type { DiscoveryMetrics } from './metrics.js';
export { noopDiscoveryMetrics } from './metrics.js';

/* Errors */
export { DiscoveryError, DiscoveryErrorCode } from './errors.js';
