import type { TargetGroup } from '@scrapewire/model';
import type { Node } from './kube-objects.js';
import { META_PREFIX, addObjectMetaLabels, joinHostPort, sanitizeLabelName } from './meta-labels.js';

/** `node/<name>`. */
export function nodeSource(name: string): string {
  return `node/${name}`;
}

/** Address types in the order Prometheus prefers them for `__address__` (code order, not the docs'). */
const ADDRESS_PRIORITY = [
  'InternalIP',
  'InternalDNS',
  'ExternalIP',
  'ExternalDNS',
  'LegacyHostIP',
  'Hostname',
];

/**
 * The `node` role's group: one target at the preferred address and the kubelet port, with the first
 * address of each type as `__meta_kubernetes_node_address_<type>`. Returns undefined for a node without
 * a usable address; Prometheus then sends nothing at all for it (not even a removal).
 */
export function buildNodeGroup(node: Node): TargetGroup | undefined {
  const labels: Record<string, string> = { [`${META_PREFIX}node_provider_id`]: node.spec?.providerID ?? '' };
  for (const c of node.status?.conditions ?? []) {
    const type = sanitizeLabelName((c.type ?? '').toLowerCase());
    labels[`${META_PREFIX}node_condition_${type}`] = (c.status ?? '').toLowerCase();
  }
  addObjectMetaLabels(labels, node.metadata, 'node');

  const byType = new Map<string, string>();
  for (const a of node.status?.addresses ?? []) {
    if (a.type !== undefined && !byType.has(a.type)) byType.set(a.type, a.address ?? '');
  }
  const preferred = ADDRESS_PRIORITY.find((t) => byType.has(t));
  if (preferred === undefined) return undefined;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
  const target: Record<string, string> = {
    __address__: joinHostPort(byType.get(preferred)!, port),
    instance: node.metadata.name,
  };
  for (const [type, address] of byType)
    target[sanitizeLabelName(`${META_PREFIX}node_address_${type}`)] = address;
  return { source: nodeSource(node.metadata.name), labels, targets: [target] };
}
