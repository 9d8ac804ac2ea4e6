import { HTTP_CLIENT_KEYS, readHttpClient } from './http-client.js';
import type { LoadContext } from './load-context.js';
import { resolvePath } from './load-context.js';
import type { KubernetesRole, KubernetesSDConfig } from './types.js';
import { type Field, optionalStruct } from './yaml-field.js';

const ROLES: readonly KubernetesRole[] = ['node', 'pod', 'service', 'endpoints', 'endpointslice', 'ingress'];

/** Which selector roles each SD role accepts (Prometheus 3.12+: pod also takes node selectors). */
const ALLOWED_SELECTORS: Readonly<Record<KubernetesRole, readonly KubernetesRole[]>> = {
  pod: ['pod', 'node'],
  service: ['service'],
  endpointslice: ['pod', 'service', 'endpointslice'],
  endpoints: ['pod', 'service', 'endpoints'],
  node: ['node'],
  ingress: ['ingress'],
};

const KEYS = [
  'api_server',
  'role',
  'kubeconfig_file',
  'namespaces',
  'selectors',
  'attach_metadata',
  ...HTTP_CLIENT_KEYS,
];

/** Reads one `kubernetes_sd_configs` entry with Prometheus's cross-field rules. */
export function readKubernetesSdConfig(ctx: LoadContext, entry: Field): KubernetesSDConfig {
  const f = entry.struct('kubernetes_sd_config', KEYS);
  const roleField = f.get('role');
  const role = readRole(roleField);
  if (!role) entry.fail('role missing (one of: pod, service, endpoints, endpointslice, node, ingress)');
  const http = readHttpClient(ctx, f, entry);
  const apiServer = f.get('api_server')?.str() ?? '';
  if (apiServer && !URL.canParse(apiServer))
    f.get('api_server')!.fail(`parse ${JSON.stringify(apiServer)}: invalid URL`);
  const kubeconfig = f.get('kubeconfig_file')?.str() ?? '';
  const ns = optionalStruct(f.get('namespaces'), 'namespaces', ['own_namespace', 'names']);
  const ownNamespace = ns.get('own_namespace')?.bool() ?? false;
  const names = ns.get('names')?.strList() ?? [];

  if (apiServer && kubeconfig) entry.fail("cannot use 'kubeconfig_file' and 'api_server' simultaneously");
  if (kubeconfig && !http.isDefault) {
    entry.fail("cannot use a custom HTTP client configuration together with 'kubeconfig_file'");
  }
  if (!apiServer && !http.isDefault) {
    entry.fail("to use custom HTTP client configuration please provide the 'api_server' URL explicitly");
  }
  if (apiServer && ownNamespace)
    entry.fail("cannot use 'api_server' and 'namespaces.own_namespace' simultaneously");
  if (kubeconfig && ownNamespace) {
    entry.fail("cannot use 'kubeconfig_file' and 'namespaces.own_namespace' simultaneously");
  }

  const selectors: { role: KubernetesRole; label?: string; field?: string }[] = [];
  const seen = new Set<string>();
  for (const sf of f.get('selectors')?.list() ?? []) {
    const s = sf.struct('selector', ['role', 'label', 'field']);
    const sRole = readRole(s.get('role')) ?? ('' as KubernetesRole);
    if (seen.has(sRole)) sf.fail(`duplicated selector role: ${sRole}`);
    seen.add(sRole);
    const allowed = ALLOWED_SELECTORS[role];
    if (!allowed.includes(sRole)) sf.fail(`${role} role supports only ${allowed.join(', ')} selectors`);
    const label = s.get('label')?.str() ?? '';
    const field = s.get('field')?.str() ?? '';
    const bad = checkSelector(label, false) ?? checkSelector(field, true);
    if (bad) (s.get(label && checkSelector(label, false) ? 'label' : 'field') ?? sf).fail(bad);
    selectors.push({ role: sRole, ...(label ? { label } : {}), ...(field ? { field } : {}) });
  }

  const am = optionalStruct(f.get('attach_metadata'), 'attach_metadata', [
    'node',
    'namespace',
    'deployment',
    'job',
    'cronjob',
  ]);
  const flag = (k: string) => am.get(k)?.bool() ?? false;
  return {
    role,
    ...(apiServer ? { apiServer } : {}),
    ...(kubeconfig ? { kubeconfigFile: resolvePath(ctx, kubeconfig) } : {}),
    namespaces: { ownNamespace, names },
    selectors,
    attachMetadata: {
      node: flag('node'),
      namespace: flag('namespace'),
      deployment: flag('deployment'),
      job: flag('job'),
      cronjob: flag('cronjob'),
    },
    httpClient: http.config,
  };
}

function readRole(field: Field | undefined): KubernetesRole | undefined {
  if (!field) return undefined;
  const text = field.str();
  if (text === '') return undefined;
  if (!ROLES.includes(text as KubernetesRole))
    field.fail(`unknown Kubernetes SD role ${JSON.stringify(text)}`);
  return text as KubernetesRole;
}

/**
 * A light syntax check of a Kubernetes label or field selector: comma-separated requirements of the
 * forms `k`, `!k`, `k=v`, `k==v`, `k!=v`, and (labels only) `k in (a,b)`, `k notin (a,b)`.
 * Returns the problem, or `undefined`.
 */
function checkSelector(text: string, fieldSelector: boolean): string | undefined {
  if (text.trim() === '') return undefined;
  const parts = splitTopLevel(text);
  for (const raw of parts) {
    const part = raw.trim();
    const key = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
    let m = /^(.+?)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (m) {
      if (!key.test(m[1]!.trim())) return `invalid selector: ${JSON.stringify(text)}`;
      continue;
    }
    if (fieldSelector) return `invalid selector: '${part}'; can't understand '${part}'`;
    m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(part);
    if (m) {
      if (!key.test(m[1]!)) return `invalid selector: ${JSON.stringify(text)}`;
      continue;
    }
    const bare = part.startsWith('!') ? part.slice(1).trim() : part;
    if (!key.test(bare)) return `unable to parse requirement: ${JSON.stringify(part)}`;
  }
  return undefined;
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
