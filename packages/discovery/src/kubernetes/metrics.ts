import { urlTemplate as templateRequestUrl } from '@scrapewire/kube-client-metrics';
import type { KubernetesRole } from '@scrapewire/config';

/** An informer event kind, as Prometheus's `prometheus_sd_kubernetes_events_total{event}` counts them. */
export type KubernetesEventKind = 'add' | 'update' | 'delete';

/**
 * Hooks through which Kubernetes discovery reports what it does, so an embedder can expose Prometheus's
 * metric names (`prometheus_sd_kubernetes_events_total{role,event}`, `…_failures_total`,
 * `…_workqueue_depth{queue_name}`, `…_workqueue_latency_seconds`, `…_workqueue_work_duration_seconds`,
 * `…_workqueue_items_total`). Every method is optional; a hook that throws is ignored.
 */
export interface KubernetesSDMetrics {
  /**
   * An informer add/update/delete. As in Prometheus 3.x, service events seen by the endpoints roles count as
   * role `service`, and pod updates seen by the endpoints role as role `pod`.
   */
  onEvent?(role: KubernetesRole, event: KubernetesEventKind): void;
  /** A failed list or watch (connection error, non-2xx status, watch that went silent). */
  onFailure?(resource: string, error: Error): void;
  /** An object or watch line that could not be used and was skipped. */
  onMalformedObject?(resource: string): void;
  /** A key was added to the role's work queue (not counted while it was already queued). */
  onQueueAdd?(queueName: string): void;
  /** The role's work-queue depth changed. */
  onQueueDepth?(queueName: string, depth: number): void;
  /** Seconds a key waited in the queue before it was processed. */
  onQueueLatency?(queueName: string, seconds: number): void;
  /** Seconds spent building the groups of one batch of keys. */
  onWorkDuration?(queueName: string, seconds: number): void;
}

/**
 * Hooks for the HTTP requests to the API server, client-go style (`rest_client_requests_total`,
 * `prometheus_sd_kubernetes_http_request_total{status_code}`, `…_http_request_duration_seconds{endpoint}`).
 * `@scrapewire/kube-client-metrics` can supply an implementation.
 */
export interface KubeRequestHooks {
  /**
   * A request is about to be sent. `urlTemplate` is the path with names replaced, as client-go's metrics
   * label it (`/api/v1/namespaces/%7Bnamespace%7D/pods`; see {@link urlTemplate}).
   */
  onRequest?(verb: string, urlTemplate: string, host: string): void;
  /**
   * A request finished: `code` is the HTTP status as a string, or `<error>` without a response. For LIST
   * `seconds` includes reading the body; for WATCH it is the time to the response headers. `watch` tells
   * a watch from a list, since client-go records no latency for watches.
   */
  onResult?(
    verb: string,
    urlTemplate: string,
    host: string,
    code: string,
    seconds: number,
    watch: boolean,
  ): void;
}

/** Calls a hook, keeping a throwing hook from breaking discovery. */
export function safeCall<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  if (!fn) return;
  try {
    fn(...args);
  } catch {
    // A metrics hook must never take discovery down.
  }
}

/**
 * client-go's URL template for a request path: names and namespaces in resource paths become `{name}` and
 * `{namespace}`, escaped as client-go's metric labels show them (`/api/v1/namespaces/%7Bnamespace%7D/pods`),
 * so metrics have bounded cardinality. The one implementation lives in `@scrapewire/kube-client-metrics`,
 * which instruments client-node the same way.
 */
export function urlTemplate(path: string): string {
  return templateRequestUrl(path).path;
}
