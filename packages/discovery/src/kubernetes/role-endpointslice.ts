import type { TargetGroup } from '@scrapewire/model';
import { addNamespaceLabels, addNodeLabels, type BuildContext } from './build-context.js';
import type { EndpointSlice, Service, SliceEndpoint, SlicePort } from './kube-objects.js';
import {
  META_PREFIX,
  NAMESPACE_LABEL,
  addObjectMetaLabels,
  joinHostPort,
  sanitizeLabelName,
} from './meta-labels.js';
import { addMatchingContainerLabels, resolvePodRef, SeenPods } from './role-endpoints.js';
import { serviceLabels } from './role-service.js';

/** `endpointslice/<namespace>/<name>`. */
export function endpointSliceSource(namespace: string, name: string): string {
  return `endpointslice/${namespace}/${name}`;
}

/** The label naming the service a slice belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const ES = `${META_PREFIX}endpointslice_`;

/**
 * A dual-stack service's slices for its secondary IP family get no targets (Prometheus 3.x), so each
 * endpoint is not scraped twice.
 */
function nonPrimaryIpFamilySlice(svc: Service | undefined, slice: EndpointSlice): boolean {
  const policy = svc?.spec?.ipFamilyPolicy;
  if (policy !== 'PreferDualStack' && policy !== 'RequireDualStack') return false;
  const primary = svc?.spec?.ipFamilies?.[0];
  return primary !== undefined && slice.addressType !== primary;
}

/**
 * The `endpointslice` role's group: a target per endpoint, slice port and address (the bare address when
 * the port is unset), enriched with the slice's service (from its `kubernetes.io/service-name` label)
 * and the pod an endpoint points at; plus one target per uncovered container port of those pods.
 */
export function buildEndpointSliceGroup(slice: EndpointSlice, ctx: BuildContext): TargetGroup {
  const ns = slice.metadata.namespace ?? '';
  const labels: Record<string, string> = {
    [NAMESPACE_LABEL]: ns,
    [`${ES}address_type`]: slice.addressType ?? '',
  };
  addObjectMetaLabels(labels, slice.metadata, 'endpointslice');
  const serviceName = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  let svc: Service | undefined;
  if (serviceName !== undefined) {
    ctx.dependsOn(`svc:${ns}/${serviceName}`);
    svc = ctx.services?.get(`${ns}/${serviceName}`);
    if (svc) Object.assign(labels, serviceLabels(svc));
  }
  addNamespaceLabels(labels, ctx, ns);
  const source = endpointSliceSource(ns, slice.metadata.name);
  if (nonPrimaryIpFamilySlice(svc, slice)) return { source, labels, targets: [] };

  const targets: Record<string, string>[] = [];
  const seen = new SeenPods();
  const add = (addr: string, ep: SliceEndpoint, port: SlicePort): void => {
    let target: Record<string, string> = {
      __address__: port.port !== undefined ? joinHostPort(addr, port.port) : addr,
    };
    if (port.name !== undefined) target[`${ES}port_name`] = port.name;
    if (port.protocol !== undefined) target[`${ES}port_protocol`] = port.protocol;
    if (port.port !== undefined) target[`${ES}port`] = String(port.port);
    if (port.appProtocol !== undefined) target[`${ES}port_app_protocol`] = port.appProtocol;
    const cond = ep.conditions;
    if (cond?.ready !== undefined) target[`${ES}endpoint_conditions_ready`] = String(cond.ready);
    if (cond?.serving !== undefined) target[`${ES}endpoint_conditions_serving`] = String(cond.serving);
    if (cond?.terminating !== undefined)
      target[`${ES}endpoint_conditions_terminating`] = String(cond.terminating);
    if (ep.hostname !== undefined) target[`${ES}endpoint_hostname`] = ep.hostname;
    if (ep.targetRef) {
      target[`${ES}address_target_kind`] = ep.targetRef.kind ?? '';
      target[`${ES}address_target_name`] = ep.targetRef.name ?? '';
    }
    if (ep.nodeName !== undefined) target[`${ES}endpoint_node_name`] = ep.nodeName;
    if (ep.zone !== undefined) target[`${ES}endpoint_zone`] = ep.zone;
    for (const [k, v] of Object.entries(ep.deprecatedTopology ?? {})) {
      const ln = sanitizeLabelName(k);
      target[`${ES}endpoint_topology_${ln}`] = v;
      target[`${ES}endpoint_topology_present_${ln}`] = 'true';
    }
    if (ctx.nodes) {
      addNodeLabels(target, ctx, ep.targetRef?.kind === 'Node' ? ep.targetRef.name : ep.nodeName);
    }
    const pod = resolvePodRef(ep.targetRef, ctx);
    if (pod) {
      target = { ...target, ...seen.add(pod, port.port) };
      if (port.port !== undefined) addMatchingContainerLabels(target, pod, port.port, (p) => p ?? '');
    }
    targets.push(target);
  };
  for (const ep of slice.endpoints ?? []) {
    for (const port of slice.ports ?? []) {
      for (const addr of ep.addresses ?? []) add(addr, ep, port);
    }
  }
  targets.push(...seen.extraTargets());
  return { source, labels, targets };
}
