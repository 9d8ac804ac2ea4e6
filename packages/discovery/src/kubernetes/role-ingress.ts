import type { TargetGroup } from '@scrapewire/model';
import { addNamespaceLabels, type BuildContext } from './build-context.js';
import type { Ingress } from './kube-objects.js';
import { META_PREFIX, NAMESPACE_LABEL, addObjectMetaLabels } from './meta-labels.js';

/** `ingress/<namespace>/<name>`. */
export function ingressSource(namespace: string, name: string): string {
  return `ingress/${namespace}/${name}`;
}

const I = `${META_PREFIX}ingress_`;

/** True when a TLS host entry covers `host`: equal, or a `*.rest` wildcard with as many dot-labels. */
export function matchesHostnamePattern(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  const p = pattern.split('.');
  const h = host.split('.');
  if (p[0] !== '*' || p.length !== h.length) return false;
  return p.every((part, i) => i === 0 || part === h[i]);
}

/**
 * The `ingress` role's group: one target per rule and path, addressed by the rule's host (no port), with
 * scheme `https` when a TLS entry covers the host. A rule without paths yields one target at path `/`.
 */
export function buildIngressGroup(ingress: Ingress, ctx: BuildContext): TargetGroup {
  const ns = ingress.metadata.namespace ?? '';
  const labels: Record<string, string> = { [NAMESPACE_LABEL]: ns };
  if (ingress.spec?.ingressClassName !== undefined) labels[`${I}class_name`] = ingress.spec.ingressClassName;
  addObjectMetaLabels(labels, ingress.metadata, 'ingress');
  addNamespaceLabels(labels, ctx, ns);

  const tlsHosts = (ingress.spec?.tls ?? []).flatMap((t) => t.hosts ?? []);
  const targets: Record<string, string>[] = [];
  for (const rule of ingress.spec?.rules ?? []) {
    const host = rule.host ?? '';
    const scheme = tlsHosts.some((p) => matchesHostnamePattern(p, host)) ? 'https' : 'http';
    const rawPaths = (rule.http?.paths ?? []).map((p) => p.path ?? '');
    const paths = rawPaths.length === 0 ? ['/'] : rawPaths.map((p) => (p === '' ? '/' : p));
    for (const path of paths) {
      targets.push({
        __address__: host,
        [`${I}scheme`]: scheme,
        [`${I}host`]: host,
        [`${I}path`]: path,
      });
    }
  }
  return { source: ingressSource(ns, ingress.metadata.name), labels, targets };
}
