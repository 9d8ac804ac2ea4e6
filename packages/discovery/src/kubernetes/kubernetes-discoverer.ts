import type { KubernetesRole, KubernetesSDConfig } from '@scrapewire/config';
import { InvalidOptionsError, type Logger, noopLogger, type TargetGroup } from '@scrapewire/model';
import type { KubeConfig } from '@kubernetes/client-node';
import { asyncScheduler, Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { BuildContext, ObjectStore } from './build-context.js';
import { Informer } from './informer.js';
import {
  connectionFromHttpConfig,
  connectionFromKubeConfig,
  inClusterConnection,
  loadKubeConfig,
  type ReadTextFile,
} from './kube-connection.js';
import { type KubeConnection, KubeHttpClient } from './kube-http-client.js';
import type { KubeObject } from './kube-objects.js';
import type { KubeRequestHooks, KubernetesEventKind, KubernetesSDMetrics } from './metrics.js';
import { safeCall } from './metrics.js';
import { buildEndpointSliceGroup, endpointSliceSource } from './role-endpointslice.js';
import { buildEndpointsGroup, endpointsSource } from './role-endpoints.js';
import { buildIngressGroup, ingressSource } from './role-ingress.js';
import { buildNodeGroup, nodeSource } from './role-node.js';
import { buildPodGroup, podSource } from './role-pod.js';
import { buildServiceGroup, serviceSource } from './role-service.js';

/** Runtime options of {@link kubernetesDiscoverer}; every field is optional. */
export interface KubernetesDiscovererContext {
  /** @defaultValue noopLogger */
  readonly logger?: Logger;
  /** Event, failure and work-queue hooks. @defaultValue no-op */
  readonly metrics?: KubernetesSDMetrics;
  /** Per-request hooks for client-go-style request metrics. @defaultValue no-op */
  readonly requestHooks?: KubeRequestHooks;
  /**
   * The cluster to talk to, overriding `api_server`, `kubeconfig_file` and in-cluster configuration.
   * For embedders that already hold a client-node `KubeConfig`, and for tests.
   */
  readonly kubeConfig?: KubeConfig;
  /** The namespace `own_namespace` means; by default the KubeConfig context's namespace (in-cluster). */
  readonly ownNamespace?: string;
  /** Time source for timers (backoff, watchdog, batching). @internal @defaultValue asyncScheduler */
  readonly scheduler?: SchedulerLike;
  /** A watch silent (bookmarks included) for this long is restarted. @defaultValue 330000 */
  readonly watchInactivityTimeoutMs?: number;
  /** The `timeoutSeconds` asked of the server for each watch. @defaultValue 300 */
  readonly watchTimeoutSeconds?: number;
  /** A list request unanswered after this long is aborted and retried. @defaultValue 120000 */
  readonly listTimeoutMs?: number;
  /** First retry delay after a failure, doubled up to `backoffMaxMs`. @defaultValue 1000 */
  readonly backoffInitialMs?: number;
  /** @defaultValue 30000 */
  readonly backoffMaxMs?: number;
  /** Reads credential, CA and service-account files. @internal */
  readonly readFile?: ReadTextFile;
  /**
   * The environment to take `KUBERNETES_SERVICE_HOST`/`_PORT` from for in-cluster configuration (the
   * agent passes `process.env`). Without it, in-cluster configuration falls back to client-node's
   * `KubeConfig.loadFromCluster`, which reads the process environment itself.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The service-account directory for in-cluster configuration. @defaultValue SERVICE_ACCOUNT_DIR */
  readonly serviceAccountDir?: string;
}

/** Defaults of {@link KubernetesDiscovererContext}. */
export const DEFAULT_KUBERNETES_DISCOVERER_CONTEXT = Object.freeze({
  watchInactivityTimeoutMs: 330_000,
  watchTimeoutSeconds: 300,
  listTimeoutMs: 120_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 30_000,
});

type Resource = 'pods' | 'services' | 'endpoints' | 'endpointslices' | 'ingresses' | 'nodes' | 'namespaces';

const RESOURCE_PREFIX: Record<Resource, { prefix: string; namespaced: boolean }> = {
  pods: { prefix: '/api/v1', namespaced: true },
  services: { prefix: '/api/v1', namespaced: true },
  endpoints: { prefix: '/api/v1', namespaced: true },
  endpointslices: { prefix: '/apis/discovery.k8s.io/v1', namespaced: true },
  ingresses: { prefix: '/apis/networking.k8s.io/v1', namespaced: true },
  nodes: { prefix: '/api/v1', namespaced: false },
  namespaces: { prefix: '/api/v1', namespaced: false },
};

/** The resource a `selectors[].role` filters. */
const SELECTOR_RESOURCE: Record<KubernetesRole, Resource> = {
  pod: 'pods',
  service: 'services',
  endpoints: 'endpoints',
  endpointslice: 'endpointslices',
  node: 'nodes',
  ingress: 'ingresses',
};

interface RoleSpec {
  readonly primary: Resource;
  /** Other collections always watched (beyond attach_metadata's nodes and namespaces). */
  readonly secondary: readonly Resource[];
  /** The work-queue name Prometheus uses for the role. */
  readonly queue: string;
  readonly build: (obj: KubeObject, ctx: BuildContext) => TargetGroup | undefined;
  /** The source of the group for a store key (`ns/name` or `name`). */
  readonly source: (key: string) => string;
}

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

const ROLES: Record<KubernetesRole, RoleSpec> = {
  pod: {
    primary: 'pods',
    secondary: [],
    queue: 'pod',
    build: (o, c) => buildPodGroup(o, c),
    source: (k) => podSource(...splitKey(k)),
  },
  node: {
    primary: 'nodes',
    secondary: [],
    queue: 'node',
    build: (o) => buildNodeGroup(o),
    source: (k) => nodeSource(k),
  },
  service: {
    primary: 'services',
    secondary: [],
    queue: 'service',
    build: (o, c) => buildServiceGroup(o, c),
    source: (k) => serviceSource(...splitKey(k)),
  },
  endpoints: {
    primary: 'endpoints',
    secondary: ['services', 'pods'],
    queue: 'endpoints',
    build: (o, c) => buildEndpointsGroup(o, c),
    source: (k) => endpointsSource(...splitKey(k)),
  },
  endpointslice: {
    primary: 'endpointslices',
    secondary: ['services', 'pods'],
    queue: 'endpointslice',
    build: (o, c) => buildEndpointSliceGroup(o, c),
    source: (k) => endpointSliceSource(...splitKey(k)),
  },
  ingress: {
    primary: 'ingresses',
    secondary: [],
    queue: 'ingress',
    build: (o, c) => buildIngressGroup(o, c),
    source: (k) => ingressSource(...splitKey(k)),
  },
};

/** The informers of one resource (one per namespace, or one cluster-wide) seen as a single store. */
class ResourceStore implements ObjectStore<KubeObject> {
  readonly informers: Informer[] = [];

  get(key: string): KubeObject | undefined {
    for (const inf of this.informers) {
      const o = inf.store.get(key);
      if (o) return o;
    }
    return undefined;
  }

  *values(): IterableIterator<KubeObject> {
    for (const inf of this.informers) yield* inf.store.values();
  }

  *keys(): IterableIterator<string> {
    for (const inf of this.informers) yield* inf.store.keys();
  }
}

/**
 * Checks what can be checked without a cluster: `own_namespace` needs in-cluster or injected configuration,
 * and each selector role must be one the SD role accepts (Prometheus 3.x rules).
 */
function validate(config: KubernetesSDConfig, path: string): void {
  if (!(config.role in ROLES))
    throw new InvalidOptionsError(`unknown Kubernetes SD role "${config.role}"`, `${path}.role`);
  const allowed: Record<KubernetesRole, KubernetesRole[]> = {
    pod: ['pod', 'node'],
    service: ['service'],
    endpoints: ['pod', 'service', 'endpoints'],
    endpointslice: ['pod', 'service', 'endpointslice'],
    node: ['node'],
    ingress: ['ingress'],
  };
  const seen = new Set<string>();
  config.selectors.forEach((s, i) => {
    if (seen.has(s.role))
      throw new InvalidOptionsError(`duplicated selector role: ${s.role}`, `${path}.selectors[${i}]`);
    seen.add(s.role);
    if (!allowed[config.role].includes(s.role)) {
      throw new InvalidOptionsError(
        `${config.role} role supports only ${allowed[config.role].join(', ')} selectors`,
        `${path}.selectors[${i}].role`,
      );
    }
  });
  if (config.apiServer !== undefined && config.kubeconfigFile !== undefined) {
    throw new InvalidOptionsError("cannot use 'kubeconfig_file' and 'api_server' simultaneously", path);
  }
}

/**
 * Discovers scrape targets from the Kubernetes API, as Prometheus's `kubernetes_sd_config` does: same
 * roles, same `__meta_kubernetes_*` labels, same `__address__` rules and group sources.
 *
 * Contract (Prometheus `discovery/README.md`):
 * - cold: each subscription opens its own lists and watches; unsubscribing aborts every request, clears
 *   every timer and closes every socket;
 * - the first emission is the full set of groups, sent once every collection the role needs has been
 *   listed (an empty array if there is nothing);
 * - afterwards only changed groups are emitted, batched; an object that disappeared is sent once as a
 *   group with its `source`, no labels and no targets;
 * - an unreachable API server never errors the stream: the error is logged and reported through
 *   `metrics.onFailure`, the last known targets stay, and discovery catches up when the server returns.
 *
 * Roles that need several collections share one list+watch per collection within a subscription (the
 * endpoints role watches endpoints, services and pods).
 *
 * @param config - The typed `kubernetes_sd_config`.
 * @param ctx - Logger, metric hooks and test seams.
 * @returns A cold Observable of target-group batches.
 * @throws {InvalidOptionsError} For selectors the role does not accept, and conflicting connection fields.
 *
 * @example
 * ```ts
 * kubernetesDiscoverer({ role: 'pod', namespaces: { ownNamespace: false, names: [] }, selectors: [],
 *   attachMetadata: { node: false, namespace: false }, httpClient, apiServer: 'https://k8s:6443' })
 *   .subscribe((groups) => console.log(groups.length));
 * ```
 */
export function kubernetesDiscoverer(
  config: KubernetesSDConfig,
  ctx: KubernetesDiscovererContext = {},
): Observable<TargetGroup[]> {
  validate(config, 'kubernetesSdConfig');
  return new Observable<TargetGroup[]>((subscriber) => {
    const logger = ctx.logger ?? noopLogger;
    const metrics = ctx.metrics ?? {};
    const scheduler = ctx.scheduler ?? asyncScheduler;
    const d = DEFAULT_KUBERNETES_DISCOVERER_CONTEXT;
    const spec = ROLES[config.role];
    let closed = false;
    let client: KubeHttpClient | undefined;
    const stores = new Map<Resource, ResourceStore>();
    let started = false;
    const dirty = new Map<string, number>();
    let flushTimer: Subscription | undefined;
    // Which groups were built from which other objects, so their changes rebuild the right groups.
    const refsOf = new Map<string, string[]>();
    const dependents = new Map<string, Set<string>>();

    const queueDepth = (): void => safeCall(metrics.onQueueDepth?.bind(metrics), spec.queue, dirty.size);

    const enqueue = (key: string): void => {
      if (!started || dirty.has(key)) return;
      dirty.set(key, scheduler.now());
      safeCall(metrics.onQueueAdd?.bind(metrics), spec.queue);
      queueDepth();
      flushTimer ??= scheduler.schedule(() => {
        flushTimer = undefined;
        flush();
      }, 0);
    };

    const enqueueDependents = (ref: string): void => {
      for (const key of dependents.get(ref) ?? []) enqueue(key);
    };

    const setRefs = (key: string, refs: string[]): void => {
      for (const r of refsOf.get(key) ?? []) dependents.get(r)?.delete(key);
      if (refs.length === 0) {
        refsOf.delete(key);
        return;
      }
      refsOf.set(key, refs);
      for (const r of refs) {
        let set = dependents.get(r);
        if (!set) {
          set = new Set();
          dependents.set(r, set);
        }
        set.add(key);
      }
    };

    const buildOne = (key: string): TargetGroup | undefined => {
      const primary = stores.get(spec.primary)!;
      const obj = primary.get(key);
      if (!obj) {
        setRefs(key, []);
        return { source: spec.source(key), labels: {}, targets: [] };
      }
      const refs: string[] = [];
      const buildCtx: BuildContext = {
        logger,
        dependsOn: (r) => refs.push(r),
        ...(stores.has('pods') && spec.primary !== 'pods'
          ? { pods: stores.get('pods') as ObjectStore<never> }
          : {}),
        ...(stores.has('services') && spec.primary !== 'services'
          ? { services: stores.get('services') as ObjectStore<never> }
          : {}),
        ...(stores.has('nodes') && spec.primary !== 'nodes'
          ? { nodes: stores.get('nodes') as ObjectStore<never> }
          : {}),
        ...(stores.has('namespaces') ? { namespaces: stores.get('namespaces')! } : {}),
      };
      try {
        const group = spec.build(obj, buildCtx);
        setRefs(key, refs);
        return group;
      } catch (err) {
        safeCall(metrics.onMalformedObject?.bind(metrics), spec.primary);
        logger.warn({ key, err: (err as Error).message }, 'cannot build target group from kubernetes object');
        return undefined;
      }
    };

    const flush = (): void => {
      if (closed || dirty.size === 0) return;
      const start = scheduler.now();
      const groups: TargetGroup[] = [];
      for (const [key, queuedAt] of dirty) {
        safeCall(metrics.onQueueLatency?.bind(metrics), spec.queue, (start - queuedAt) / 1000);
        const g = buildOne(key);
        if (g) groups.push(g);
      }
      dirty.clear();
      queueDepth();
      safeCall(metrics.onWorkDuration?.bind(metrics), spec.queue, (scheduler.now() - start) / 1000);
      if (groups.length > 0) subscriber.next(groups);
    };

    const onSynced = (): void => {
      if (started || closed) return;
      for (const store of stores.values()) if (!store.informers.every((i) => i.synced)) return;
      started = true;
      const groups: TargetGroup[] = [];
      for (const key of stores.get(spec.primary)!.keys()) {
        const g = buildOne(key);
        if (g) groups.push(g);
      }
      logger.debug({ role: config.role, groups: groups.length }, 'kubernetes discovery synced');
      subscriber.next(groups);
    };

    const onEvent = (resource: Resource, kind: KubernetesEventKind, obj: KubeObject): void => {
      const meta = obj.metadata;
      const key = meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
      if (resource === spec.primary) {
        safeCall(metrics.onEvent?.bind(metrics), config.role, kind);
        enqueue(key);
        return;
      }
      switch (resource) {
        case 'services':
          safeCall(metrics.onEvent?.bind(metrics), 'service', kind);
          enqueueDependents(`svc:${key}`);
          return;
        case 'pods':
          // Prometheus 3.x's endpoints role counts pod updates (role "pod"); the endpointslice role does not.
          if (config.role === 'endpoints' && kind === 'update')
            safeCall(metrics.onEvent?.bind(metrics), 'pod', kind);
          enqueueDependents(`pod:${key}`);
          return;
        case 'nodes':
          enqueueDependents(`node:${key}`);
          return;
        case 'namespaces':
          if (kind !== 'update') return;
          for (const k of stores.get(spec.primary)!.keys()) if (k.startsWith(`${meta.name}/`)) enqueue(k);
          return;
        default:
      }
    };

    const start = (conn: KubeConnection, namespaces: readonly string[]): void => {
      client = new KubeHttpClient(conn, ctx.requestHooks ?? {}, scheduler);
      const resources = new Set<Resource>([spec.primary, ...spec.secondary]);
      if (config.attachMetadata.node && ['pod', 'endpoints', 'endpointslice'].includes(config.role)) {
        resources.add('nodes');
      }
      if (config.attachMetadata.namespace && config.role !== 'node') resources.add('namespaces');
      for (const resource of resources) {
        const { prefix, namespaced } = RESOURCE_PREFIX[resource];
        const selector = config.selectors.find((s) => SELECTOR_RESOURCE[s.role] === resource);
        const store = new ResourceStore();
        stores.set(resource, store);
        const paths =
          namespaced && namespaces.length > 0
            ? namespaces.map((ns) => `${prefix}/namespaces/${encodeURIComponent(ns)}/${resource}`)
            : [`${prefix}/${resource}`];
        for (const path of paths) {
          store.informers.push(
            new Informer({
              resource,
              path,
              labelSelector: selector?.label,
              fieldSelector: selector?.field,
              client,
              scheduler,
              logger,
              metrics,
              watchInactivityTimeoutMs: ctx.watchInactivityTimeoutMs ?? d.watchInactivityTimeoutMs,
              watchTimeoutSeconds: ctx.watchTimeoutSeconds ?? d.watchTimeoutSeconds,
              listTimeoutMs: ctx.listTimeoutMs ?? d.listTimeoutMs,
              backoff: {
                initialMs: ctx.backoffInitialMs ?? d.backoffInitialMs,
                maxMs: ctx.backoffMaxMs ?? d.backoffMaxMs,
              },
              onEvent: (kind, obj) => onEvent(resource, kind, obj),
              onSynced,
            }),
          );
        }
      }
      for (const store of stores.values()) for (const inf of store.informers) inf.start();
    };

    const connect = async (): Promise<{ conn: KubeConnection; namespaces: readonly string[] }> => {
      let kc = ctx.kubeConfig;
      let conn: KubeConnection;
      let clusterNamespace: string | undefined;
      if (kc) conn = await connectionFromKubeConfig(kc);
      else if (config.apiServer !== undefined)
        conn = connectionFromHttpConfig(config.apiServer, config.httpClient, ctx.readFile);
      else if (config.kubeconfigFile === undefined && ctx.env) {
        const inCluster = inClusterConnection(ctx.env, ctx.readFile, ctx.serviceAccountDir);
        conn = inCluster.connection;
        clusterNamespace = inCluster.namespace;
      } else {
        kc = await loadKubeConfig(config);
        conn = await connectionFromKubeConfig(kc);
      }
      clusterNamespace ??= kc?.getContextObject(kc.currentContext)?.namespace;
      const names = new Set(config.namespaces.names);
      if (config.namespaces.ownNamespace) {
        const own = ctx.ownNamespace ?? clusterNamespace;
        if (!own) {
          throw new InvalidOptionsError(
            'own_namespace needs in-cluster configuration (no namespace is known)',
            'kubernetesSdConfig.namespaces.ownNamespace',
          );
        }
        names.add(own);
      }
      return { conn, namespaces: [...names] };
    };

    connect().then(
      ({ conn, namespaces }) => {
        if (!closed) start(conn, namespaces);
      },
      (err: unknown) => {
        if (!closed) subscriber.error(err);
      },
    );

    return () => {
      closed = true;
      flushTimer?.unsubscribe();
      for (const store of stores.values()) for (const inf of store.informers) inf.stop();
      client?.destroy();
    };
  });
}
