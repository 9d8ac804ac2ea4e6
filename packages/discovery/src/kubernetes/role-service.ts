import type { TargetGroup } from '@scrapewire/model';
import { addNamespaceLabels, type BuildContext } from './build-context.js';
import type { Service } from './kube-objects.js';
import { META_PREFIX, NAMESPACE_LABEL, addObjectMetaLabels, joinHostPort } from './meta-labels.js';

/** `svc/<namespace>/<name>` (Prometheus says `svc`, not `service`). */
export function serviceSource(namespace: string, name: string): string {
  return `svc/${namespace}/${name}`;
}

const S = `${META_PREFIX}service_`;

/** The service's group labels, shared with the endpoints roles. */
export function serviceLabels(svc: Service): Record<string, string> {
  const ls: Record<string, string> = { [NAMESPACE_LABEL]: svc.metadata.namespace ?? '' };
  addObjectMetaLabels(ls, svc.metadata, 'service');
  return ls;
}

/** Load balancer ingress IPs joined with `,`, falling back to the deprecated `spec.loadBalancerIP`. */
function loadBalancerIps(svc: Service): string {
  const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
  return ips.length > 0 ? ips.join(',') : (svc.spec?.loadBalancerIP ?? '');
}

/**
 * The `service` role's group: one target per service port at `<name>.<namespace>.svc:<port>`.
 * ExternalName services carry `_service_external_name` instead of `_service_cluster_ip`.
 */
export function buildServiceGroup(svc: Service, ctx: BuildContext): TargetGroup {
  const ns = svc.metadata.namespace ?? '';
  const labels = serviceLabels(svc);
  addNamespaceLabels(labels, ctx, ns);
  const type = svc.spec?.type ?? '';
  const targets = (svc.spec?.ports ?? []).map((port) => {
    const number = String(port.port ?? 0);
    const t: Record<string, string> = {
      __address__: joinHostPort(`${svc.metadata.name}.${ns}.svc`, number),
      [`${S}port_name`]: port.name ?? '',
      [`${S}port_number`]: number,
      [`${S}port_protocol`]: port.protocol ?? '',
      [`${S}type`]: type,
    };
    if (type === 'ExternalName') t[`${S}external_name`] = svc.spec?.externalName ?? '';
    else t[`${S}cluster_ip`] = svc.spec?.clusterIP ?? '';
    if (type === 'LoadBalancer') t[`${S}loadbalancer_ip`] = loadBalancerIps(svc);
    return t;
  });
  return { source: serviceSource(ns, svc.metadata.name), labels, targets };
}
