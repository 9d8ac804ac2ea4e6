import {
  createDefaultDiscovererRegistry,
  type DiscovererRegistry,
  kubernetesDiscoverer,
} from '@scrapewire/discovery';
import { createKubeClientMetrics, createKubernetesSdHooks } from '@scrapewire/kube-client-metrics';
import { createPrometheusSdMetrics } from '@scrapewire/kube-client-metrics/prom-client';
import type { Registry } from 'prom-client';

/**
 * The discoverer registry the agent uses: the default one, with Kubernetes SD reporting its API requests
 * and work queues under Prometheus's names (`prometheus_sd_kubernetes_http_request_total{status_code}`,
 * `…_http_request_duration_seconds{endpoint}`, `…_workqueue_*{queue_name}`) and its events and failures
 * through the discovery metrics (`prometheus_sd_kubernetes_events_total{role,event}`, `…_failures_total`).
 *
 * It uses its own `KubeClientMetrics` instance rather than the process-wide one, so an application that
 * embeds the agent keeps the global registration for its own Kubernetes clients.
 */
export function agentDiscovererRegistry(registry: Registry): DiscovererRegistry {
  const kubeMetrics = createKubeClientMetrics();
  const sd = createPrometheusSdMetrics({ registry });
  kubeMetrics.register(sd.hooks);
  kubeMetrics.setWorkqueueProvider(sd.workqueueProvider);
  const hooks = createKubernetesSdHooks(kubeMetrics);
  return createDefaultDiscovererRegistry().register('kubernetes', (config, ctx) =>
    kubernetesDiscoverer(config, {
      logger: ctx.logger,
      ...(ctx.scheduler !== undefined ? { scheduler: ctx.scheduler } : {}),
      requestHooks: hooks,
      // In-cluster configuration reads KUBERNETES_SERVICE_HOST/PORT; only the agent may read the environment.
      env: process.env,
      metrics: {
        onEvent: (role, event) => ctx.metrics.incKubernetesEvents?.(role, event),
        onFailure: () => ctx.metrics.incKubernetesFailures?.(),
        onQueueAdd: (name) => hooks.onQueueAdd(name),
        onQueueDepth: (name, depth) => hooks.onQueueDepth(name, depth),
        onQueueLatency: (name, seconds) => hooks.onQueueLatency(name, seconds),
        onWorkDuration: (name, seconds) => hooks.onWorkDuration(name, seconds),
      },
    }),
  );
}
