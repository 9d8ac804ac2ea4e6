import type { Logger, TargetGroup } from '@scrapewire/model';
import { addNamespaceLabels, addNodeLabels, type BuildContext } from './build-context.js';
import type { EndpointAddress, EndpointPort, Endpoints, ObjectReference, Pod } from './kube-objects.js';
import { META_PREFIX, NAMESPACE_LABEL, addObjectMetaLabels, joinHostPort } from './meta-labels.js';
import { containerPortLabels, podContainers, podLabels } from './role-pod.js';
import { serviceLabels } from './role-service.js';

/** `endpoints/<namespace>/<name>`. */
export function endpointsSource(namespace: string, name: string): string {
  return `endpoints/${namespace}/${name}`;
}

const E = `${META_PREFIX}endpoint_`;
const P = `${META_PREFIX}pod_`;

/** Looks up the pod an address points at, recording the dependency either way. */
export function resolvePodRef(ref: ObjectReference | undefined, ctx: BuildContext): Pod | undefined {
  if (ref?.kind !== 'Pod' || !ctx.pods) return undefined;
  const key = `${ref.namespace ?? ''}/${ref.name ?? ''}`;
  ctx.dependsOn(`pod:${key}`);
  return ctx.pods.get(key);
}

/**
 * Tracks the pods an endpoints object (or slice) resolved to, so that each of their container ports no
 * endpoint port covered becomes an extra target: shared by the endpoints and endpointslice roles.
 */
export class SeenPods {
  readonly #pods = new Map<string, { pod: Pod; ports: number[]; labels: Readonly<Record<string, string>> }>();

  /**
   * Records that `pod` was targeted on `port` (undefined for a port-less slice entry) and returns the
   * pod's labels, computed once per pod and build (a pod usually backs several endpoint ports).
   */
  add(pod: Pod, port: number | undefined): Readonly<Record<string, string>> {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    let entry = this.#pods.get(key);
    if (!entry) {
      entry = { pod, ports: [], labels: podLabels(pod) };
      this.#pods.set(key, entry);
    }
    if (port !== undefined) entry.ports.push(port);
    return entry.labels;
  }

  /** The extra container-port targets, in pod order of first appearance. */
  extraTargets(): Record<string, string>[] {
    const targets: Record<string, string>[] = [];
    for (const { pod, ports, labels } of this.#pods.values()) {
      const ip = pod.status?.podIP ?? '';
      if (ip === '') continue;
      for (const { container, init } of podContainers(pod)) {
        for (const cport of container.ports ?? []) {
          if (ports.includes(cport.containerPort)) continue;
          targets.push({
            ...labels,
            __address__: joinHostPort(ip, cport.containerPort),
            ...containerPortLabels(container, cport, init),
          });
        }
      }
    }
    return targets;
  }
}

/** Copies the labels of the container port equal to `port` (the first match) onto an endpoint target. */
export function addMatchingContainerLabels(
  target: Record<string, string>,
  pod: Pod,
  port: number,
  protocol: (containerProtocol: string | undefined) => string,
): void {
  for (const { container, init } of podContainers(pod)) {
    const cport = container.ports?.find((p) => p.containerPort === port);
    if (!cport) continue;
    Object.assign(target, containerPortLabels(container, cport, init));
    target[`${P}container_port_protocol`] = protocol(cport.protocol);
    return;
  }
}

function warnOverCapacity(eps: Endpoints, logger: Logger): void {
  const v = eps.metadata.labels?.['endpoints.kubernetes.io/over-capacity'];
  if (v === 'truncated' || v === 'warning') {
    logger.warn(
      { endpoints: eps.metadata.name, namespace: eps.metadata.namespace, overCapacity: v },
      'endpoints object holds more than 1000 addresses; use role endpointslice instead',
    );
  }
}

/**
 * The `endpoints` role's group: a target per subset port and address (`ready` true for `addresses`, false
 * for `notReadyAddresses`), enriched with the service of the same name and with the pod an address
 * points at; plus one target per container port of those pods that no endpoint port covered.
 */
export function buildEndpointsGroup(eps: Endpoints, ctx: BuildContext): TargetGroup {
  const ns = eps.metadata.namespace ?? '';
  const labels: Record<string, string> = { [NAMESPACE_LABEL]: ns };
  ctx.dependsOn(`svc:${ns}/${eps.metadata.name}`);
  const svc = ctx.services?.get(`${ns}/${eps.metadata.name}`);
  if (svc) Object.assign(labels, serviceLabels(svc));
  addObjectMetaLabels(labels, eps.metadata, 'endpoints');
  addNamespaceLabels(labels, ctx, ns);

  const targets: Record<string, string>[] = [];
  const seen = new SeenPods();
  const add = (addr: EndpointAddress, port: EndpointPort, ready: string): void => {
    let target: Record<string, string> = {
      __address__: joinHostPort(addr.ip ?? '', port.port ?? 0),
      [`${E}port_name`]: port.name ?? '',
      [`${E}port_protocol`]: port.protocol ?? '',
      [`${E}ready`]: ready,
    };
    if (addr.targetRef) {
      target[`${E}address_target_kind`] = addr.targetRef.kind ?? '';
      target[`${E}address_target_name`] = addr.targetRef.name ?? '';
    }
    if (addr.nodeName !== undefined) target[`${E}node_name`] = addr.nodeName;
    if (addr.hostname) target[`${E}hostname`] = addr.hostname;
    if (ctx.nodes) {
      if (addr.nodeName !== undefined) addNodeLabels(target, ctx, addr.nodeName);
      else if (addr.targetRef?.kind === 'Node') addNodeLabels(target, ctx, addr.targetRef.name);
    }
    const pod = resolvePodRef(addr.targetRef, ctx);
    if (pod) {
      target = { ...target, ...seen.add(pod, port.port ?? 0) };
      // The endpoints role reports the endpoint port's protocol (the slice role the container's).
      addMatchingContainerLabels(target, pod, port.port ?? 0, () => port.protocol ?? '');
    }
    targets.push(target);
  };
  for (const subset of eps.subsets ?? []) {
    for (const port of subset.ports ?? []) {
      for (const addr of subset.addresses ?? []) add(addr, port, 'true');
      for (const addr of subset.notReadyAddresses ?? []) add(addr, port, 'false');
    }
  }
  warnOverCapacity(eps, ctx.logger);
  targets.push(...seen.extraTargets());
  return { source: endpointsSource(ns, eps.metadata.name), labels, targets };
}
