import type { Logger } from '@scrapewire/model';
import type { KubeObject, Node, Pod, Service } from './kube-objects.js';
import { addLabelsAndAnnotations, addObjectMetaLabels } from './meta-labels.js';

/** A read-only view of an informer cache, keyed by `namespace/name` (or `name` when cluster-scoped). */
export interface ObjectStore<T extends KubeObject> {
  get(key: string): T | undefined;
  values(): IterableIterator<T>;
}

/**
 * What a role's group builder may read besides the object itself: the caches of the other resources it
 * watches, and a callback that records which other objects a group was built from, so a change to one of
 * them rebuilds the group (the role of client-go's indexers in Prometheus).
 */
export interface BuildContext {
  readonly logger: Logger;
  readonly pods?: ObjectStore<Pod>;
  readonly services?: ObjectStore<Service>;
  /** Present when `attach_metadata.node` is on. */
  readonly nodes?: ObjectStore<Node>;
  /** Present when `attach_metadata.namespace` is on. */
  readonly namespaces?: ObjectStore<KubeObject>;
  /** Records that the group being built depends on `ref` (`pod:ns/name`, `node:name`, `svc:ns/name`). */
  readonly dependsOn: (ref: string) => void;
}

/** Merges a node's `__meta_kubernetes_node_*` metadata into `out`, if the node is cached. */
export function addNodeLabels(
  out: Record<string, string>,
  ctx: BuildContext,
  nodeName: string | undefined,
): void {
  if (nodeName === undefined || !ctx.nodes) return;
  ctx.dependsOn(`node:${nodeName}`);
  const node = ctx.nodes.get(nodeName);
  if (node) addObjectMetaLabels(out, node.metadata, 'node');
}

/** Merges a namespace's `__meta_kubernetes_namespace_*` labels and annotations into `out`, if cached. */
export function addNamespaceLabels(out: Record<string, string>, ctx: BuildContext, namespace: string): void {
  if (!ctx.namespaces) return;
  const ns = ctx.namespaces.get(namespace);
  if (ns) addLabelsAndAnnotations(out, ns.metadata, 'namespace');
}
