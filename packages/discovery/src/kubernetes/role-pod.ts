import type { TargetGroup } from '@scrapewire/model';
import { addNamespaceLabels, addNodeLabels, type BuildContext } from './build-context.js';
import type { Container, ContainerStatus, Pod } from './kube-objects.js';
import { META_PREFIX, NAMESPACE_LABEL, addObjectMetaLabels, joinHostPort } from './meta-labels.js';

/** `pod/<namespace>/<name>`. */
export function podSource(namespace: string, name: string): string {
  return `pod/${namespace}/${name}`;
}

const P = `${META_PREFIX}pod_`;

/** The pod's own labels (no namespace, no containers): shared by the pod, endpoints and endpointslice roles. */
export function podLabels(pod: Pod): Record<string, string> {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const ls: Record<string, string> = {
    [`${P}ip`]: pod.status?.podIP ?? '',
    [`${P}ready`]: (ready ?? 'Unknown').toLowerCase(),
    [`${P}phase`]: pod.status?.phase ?? '',
    [`${P}node_name`]: pod.spec?.nodeName ?? '',
    [`${P}host_ip`]: pod.status?.hostIP ?? '',
    [`${P}uid`]: pod.metadata.uid ?? '',
  };
  addObjectMetaLabels(ls, pod.metadata, 'pod');
  const controller = pod.metadata.ownerReferences?.find((r) => r.controller === true);
  if (controller?.kind) ls[`${P}controller_kind`] = controller.kind;
  if (controller?.name) ls[`${P}controller_name`] = controller.name;
  return ls;
}

/** App containers then init containers, each with whether it is an init container. */
export function podContainers(pod: Pod): { container: Container; init: boolean }[] {
  return [
    ...(pod.spec?.containers ?? []).map((container) => ({ container, init: false })),
    ...(pod.spec?.initContainers ?? []).map((container) => ({ container, init: true })),
  ];
}

/** The labels of one container port target, shared with the endpoints roles' extra-port targets. */
export function containerPortLabels(
  c: Container,
  port: { name?: string; containerPort: number; protocol?: string },
  init: boolean,
): Record<string, string> {
  return {
    [`${P}container_name`]: c.name,
    [`${P}container_image`]: c.image ?? '',
    [`${P}container_port_name`]: port.name ?? '',
    [`${P}container_port_number`]: String(port.containerPort),
    [`${P}container_port_protocol`]: port.protocol ?? '',
    [`${P}container_init`]: String(init),
  };
}

function containerId(statuses: readonly ContainerStatus[] | undefined, name: string): string {
  return statuses?.find((s) => s.name === name)?.containerID ?? '';
}

/**
 * The `pod` role's group: one target per declared container port (`podIP:port`), or one target with the
 * bare pod IP for a container without ports; init containers too, flagged by `_container_init`. A pod
 * without an IP (pending, evicted) yields an empty group, which removes earlier targets. With
 * `attach_metadata.node`, a pod whose node is not cached also yields an empty group, as in Prometheus 3.x.
 */
export function buildPodGroup(pod: Pod, ctx: BuildContext): TargetGroup {
  const source = podSource(pod.metadata.namespace ?? '', pod.metadata.name);
  const ip = pod.status?.podIP ?? '';
  const nodeName = pod.spec?.nodeName ?? '';
  if (ctx.nodes) ctx.dependsOn(`node:${nodeName}`);
  if (ip === '' || (ctx.nodes && !ctx.nodes.get(nodeName))) return { source, labels: {}, targets: [] };

  const labels = podLabels(pod);
  labels[NAMESPACE_LABEL] = pod.metadata.namespace ?? '';
  addNodeLabels(labels, ctx, ctx.nodes ? nodeName : undefined);
  addNamespaceLabels(labels, ctx, pod.metadata.namespace ?? '');

  const targets: Record<string, string>[] = [];
  for (const { container: c, init } of podContainers(pod)) {
    const id = containerId(init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses, c.name);
    if (!c.ports || c.ports.length === 0) {
      targets.push({
        __address__: ip,
        [`${P}container_name`]: c.name,
        [`${P}container_id`]: id,
        [`${P}container_image`]: c.image ?? '',
        [`${P}container_init`]: String(init),
      });
      continue;
    }
    for (const port of c.ports) {
      targets.push({
        __address__: joinHostPort(ip, port.containerPort),
        [`${P}container_id`]: id,
        ...containerPortLabels(c, port, init),
      });
    }
  }
  return { source, labels, targets };
}
