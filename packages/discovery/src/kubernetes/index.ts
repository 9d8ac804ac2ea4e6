export {
  DEFAULT_KUBERNETES_DISCOVERER_CONTEXT,
  kubernetesDiscoverer,
} from './kubernetes-discoverer.js';
export type { KubernetesDiscovererContext } from './kubernetes-discoverer.js';
export type { KubeRequestHooks, KubernetesEventKind, KubernetesSDMetrics } from './metrics.js';
export { urlTemplate } from './metrics.js';
export { KubernetesApiError, WatchInactivityError } from './errors.js';
export { kubeConfigForUrl } from './kube-connection.js';
export { sanitizeLabelName } from './meta-labels.js';
