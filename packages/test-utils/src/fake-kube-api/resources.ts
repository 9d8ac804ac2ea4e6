/** One collection the fake API server serves. */
export interface FakeResourceKind {
  /** The plural in URLs: `pods`, `endpointslices`. */
  readonly resource: string;
  readonly kind: string;
  /** `v1` for core, `group/version` otherwise. */
  readonly apiVersion: string;
  readonly namespaced: boolean;
}

/** The collections Prometheus's kubernetes_sd reads, by plural name. */
export const FAKE_RESOURCES: ReadonlyMap<string, FakeResourceKind> = new Map(
  (
    [
      { resource: 'pods', kind: 'Pod', apiVersion: 'v1', namespaced: true },
      { resource: 'services', kind: 'Service', apiVersion: 'v1', namespaced: true },
      { resource: 'endpoints', kind: 'Endpoints', apiVersion: 'v1', namespaced: true },
      { resource: 'nodes', kind: 'Node', apiVersion: 'v1', namespaced: false },
      { resource: 'namespaces', kind: 'Namespace', apiVersion: 'v1', namespaced: false },
      {
        resource: 'endpointslices',
        kind: 'EndpointSlice',
        apiVersion: 'discovery.k8s.io/v1',
        namespaced: true,
      },
      { resource: 'ingresses', kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', namespaced: true },
    ] satisfies FakeResourceKind[]
  ).map((r) => [r.resource, r]),
);

/** The resource names the fake knows, as a type. */
export type FakeResourceName =
  | 'pods'
  | 'services'
  | 'endpoints'
  | 'nodes'
  | 'namespaces'
  | 'endpointslices'
  | 'ingresses';

/** A parsed collection URL. */
export interface ParsedPath {
  readonly kind: FakeResourceKind;
  /** Set for `/namespaces/{ns}/…` paths. */
  readonly namespace?: string;
  /** Set for a single-object GET. */
  readonly name?: string;
}

/**
 * Parses `/api/v1/[namespaces/{ns}/]{resource}[/{name}]` and
 * `/apis/{group}/{version}/[namespaces/{ns}/]{resource}[/{name}]`. Returns undefined for anything else.
 */
export function parseResourcePath(pathname: string): ParsedPath | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  let apiVersion: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    apiVersion = 'v1';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    apiVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  // `/namespaces/{ns}/{resource}…` is namespaced; `/namespaces` and `/namespaces/{name}` are the
  // cluster-scoped Namespace collection itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const kind = FAKE_RESOURCES.get(rest[0] ?? '');
  if (!kind || kind.apiVersion !== apiVersion || rest.length > 2) return undefined;
  if (namespace !== undefined && !kind.namespaced) return undefined;
  return {
    kind,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(rest[1] !== undefined ? { name: rest[1] } : {}),
  };
}
