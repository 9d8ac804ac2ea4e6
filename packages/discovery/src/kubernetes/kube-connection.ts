import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import type { HttpClientConfig, KubernetesSDConfig, SecretSource } from '@scrapewire/config';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeConnection, KubeTlsOptions } from './kube-http-client.js';

/** Reads a file as text (a seam for tests). */
export type ReadTextFile = (path: string) => string;

const defaultReadFile: ReadTextFile = (path) => readFileSync(path, 'utf8');

function secretValue(source: SecretSource, readFile: ReadTextFile): string {
  return 'inline' in source ? source.inline.reveal() : readFile(source.file).trim();
}

/**
 * The connection for `api_server` with Prometheus's inline HTTP client options: authorization (bearer
 * tokens included), basic auth, `http_headers`, and TLS (CA, client certificate, server name,
 * insecure_skip_verify). Not supported: oauth2, proxies, HTTP/2.
 * Credential files are re-read per request so rotated tokens are picked up.
 */
export function connectionFromHttpConfig(
  server: string,
  http: HttpClientConfig,
  readFile: ReadTextFile = defaultReadFile,
): KubeConnection {
  const t = http.tlsConfig;
  const tls: KubeTlsOptions = {
    ...(t.ca !== undefined ? { ca: t.ca } : t.caFile !== undefined ? { ca: readFile(t.caFile) } : {}),
    ...(t.cert !== undefined
      ? { cert: t.cert }
      : t.certFile !== undefined
        ? { cert: readFile(t.certFile) }
        : {}),
    ...(t.key !== undefined
      ? { key: t.key.reveal() }
      : t.keyFile !== undefined
        ? { key: readFile(t.keyFile) }
        : {}),
    ...(t.serverName !== undefined ? { servername: t.serverName } : {}),
    rejectUnauthorized: !t.insecureSkipVerify,
  };
  return {
    server,
    tls,
    headers: async () => {
      const headers: Record<string, string> = {};
      // Custom headers first, so the configured authorization below always wins (as in prometheus/common).
      for (const [name, h] of Object.entries(http.httpHeaders)) {
        const values = [
          ...h.values,
          ...h.secrets.map((s) => s.reveal()),
          ...h.files.map((f) => readFile(f).trim()),
        ];
        if (values.length > 0) headers[name.toLowerCase()] = values.join(', ');
      }
      if (http.authorization) {
        const credentials = http.authorization.credentials
          ? secretValue(http.authorization.credentials, readFile)
          : '';
        headers.authorization = `${http.authorization.type || 'Bearer'} ${credentials}`;
      } else if (http.basicAuth) {
        const b = http.basicAuth;
        const user = b.usernameFile !== undefined ? readFile(b.usernameFile).trim() : (b.username ?? '');
        const pass = b.password ? secretValue(b.password, readFile) : '';
        headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      }
      return headers;
    },
  };
}

/**
 * The connection described by a client-node `KubeConfig` (its current context): kubeconfig files,
 * in-cluster service accounts, or one built in code. Auth headers are recomputed per request through
 * client-node, so exec/token-file authenticators keep working.
 */
export async function connectionFromKubeConfig(kc: KubeConfig): Promise<KubeConnection> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const base: RequestOptions = {};
  await kc.applyToHTTPSOptions(base);
  const tls: KubeTlsOptions = {
    ...(base.ca !== undefined ? { ca: base.ca as Buffer } : {}),
    ...(base.cert !== undefined ? { cert: base.cert as Buffer } : {}),
    ...(base.key !== undefined ? { key: base.key as Buffer } : {}),
    ...(base.servername !== undefined ? { servername: base.servername } : {}),
    ...(base.rejectUnauthorized !== undefined ? { rejectUnauthorized: base.rejectUnauthorized } : {}),
  };
  return {
    server: cluster.server,
    tls,
    headers: async () => {
      const opts: RequestOptions = {};
      await kc.applyToHTTPSOptions(opts);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      }
      if (typeof opts.auth === 'string') {
        headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      }
      return headers;
    },
  };
}

/**
 * `@kubernetes/client-node`, imported when a KubeConfig is first needed: it is large (~14 MiB of source
 * kept in the heap, ~0.4 s to load) and only kubeconfig files and in-cluster credentials need it, so
 * an agent without Kubernetes discovery, or one given `api_server`, never loads it.
 */
function loadClientNode(): Promise<typeof import('@kubernetes/client-node')> {
  return import('@kubernetes/client-node');
}

/**
 * Chooses the KubeConfig for a config without `api_server`: `kubeconfig_file` (current context), or the
 * in-cluster service account (client-node reads `KUBERNETES_SERVICE_HOST` and the token files).
 */
export async function loadKubeConfig(config: KubernetesSDConfig): Promise<KubeConfig> {
  const kc = new (await loadClientNode()).KubeConfig();
  if (config.kubeconfigFile !== undefined) kc.loadFromFile(config.kubeconfigFile);
  else kc.loadFromCluster();
  return kc;
}

/** A KubeConfig pointing at a plain-HTTP server with no credentials, e.g. a test's fake API server. */
export async function kubeConfigForUrl(server: string): Promise<KubeConfig> {
  const kc = new (await loadClientNode()).KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: server.startsWith('http:') }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

/** Where a pod's service-account credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The in-cluster connection from explicit inputs, so no environment is read behind the caller's back:
 * `KUBERNETES_SERVICE_HOST`/`_PORT` from `env`, the CA and namespace from the service-account directory, and
 * the token re-read per request (kubelet rotates projected tokens).
 */
export function inClusterConnection(
  env: Readonly<Record<string, string | undefined>>,
  readFile: ReadTextFile = defaultReadFile,
  dir: string = SERVICE_ACCOUNT_DIR,
): { connection: KubeConnection; namespace: string | undefined } {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new Error(
      'not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset',
    );
  }
  let namespace: string | undefined;
  try {
    namespace = readFile(`${dir}/namespace`).trim() || undefined;
  } catch {
    namespace = undefined;
  }
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    namespace,
    connection: {
      server,
      tls: { ca: readFile(`${dir}/ca.crt`) },
      headers: async () => ({ authorization: `Bearer ${readFile(`${dir}/token`).trim()}` }),
    },
  };
}
