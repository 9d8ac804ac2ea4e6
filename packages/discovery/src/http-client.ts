import { readFile } from 'node:fs/promises';
import type { HttpClientConfig, TlsConfig } from '@scrapewire/config';
import {
  Agent,
  type Dispatcher,
  type buildConnector,
  EnvHttpProxyAgent,
  ProxyAgent,
  interceptors,
} from 'undici';
import { DiscoveryError, DiscoveryErrorCode } from './errors.js';
import type { OAuth2TokenSource } from './oauth2-token.js';
import { readSecretSource, readTrimmedFile } from './secret-source.js';

const TLS_VERSIONS = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
} as const;

/** Builds Node TLS options from `<tls_config>`, reading the `*_file` variants. */
export async function tlsOptions(tls: TlsConfig): Promise<buildConnector.BuildOptions> {
  const out: buildConnector.BuildOptions = { rejectUnauthorized: !tls.insecureSkipVerify };
  if (tls.ca !== undefined) out.ca = tls.ca;
  else if (tls.caFile !== undefined) out.ca = await readFile(tls.caFile, 'utf8');
  if (tls.cert !== undefined) out.cert = tls.cert;
  else if (tls.certFile !== undefined) out.cert = await readFile(tls.certFile, 'utf8');
  if (tls.key !== undefined) out.key = tls.key.reveal();
  else if (tls.keyFile !== undefined) out.key = await readFile(tls.keyFile, 'utf8');
  if (tls.serverName !== undefined) out.servername = tls.serverName;
  if (tls.minVersion !== undefined) out.minVersion = TLS_VERSIONS[tls.minVersion];
  if (tls.maxVersion !== undefined) out.maxVersion = TLS_VERSIONS[tls.maxVersion];
  return out;
}

/**
 * Creates the undici dispatcher for an `<http_config>`: TLS, an explicit proxy (`proxy_url` with
 * `proxy_connect_header`) or the environment's proxy, and redirects (up to 10, as Go's client) when
 * `follow_redirects` is on. The caller owns it and must `close()` or `destroy()` it.
 *
 * Ignored: `no_proxy` with `proxy_url`, `enable_http2` (requests use HTTP/1.1).
 */
export async function createDispatcher(config: HttpClientConfig): Promise<Dispatcher> {
  const connect = await tlsOptions(config.tlsConfig);
  let base: Dispatcher;
  if (config.proxyUrl !== undefined) {
    const headers: Record<string, string> = {};
    for (const [name, secrets] of Object.entries(config.proxyConnectHeader)) {
      headers[name] = secrets.map((s) => s.reveal()).join(', ');
    }
    base = new ProxyAgent({ uri: config.proxyUrl, requestTls: connect, headers });
  } else if (config.proxyFromEnvironment) {
    base = new EnvHttpProxyAgent({ connect });
  } else {
    base = new Agent({ connect });
  }
  return config.followRedirects ? base.compose(interceptors.redirect({ maxRedirections: 10 })) : base;
}

/**
 * The request headers an `<http_config>` adds: Authorization (OAuth 2.0 token from `oauth2`, basic, or
 * `<type> <credentials>`) and the
 * custom `http_headers`. Files are read on every call so rotated credentials apply at the next request.
 */
export async function authHeaders(
  config: HttpClientConfig,
  oauth2?: OAuth2TokenSource,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, h] of Object.entries(config.httpHeaders)) {
    const values = [...h.values, ...h.secrets.map((s) => s.reveal())];
    for (const f of h.files) values.push(await readTrimmedFile(f));
    if (values.length > 0) headers[name] = values.join(', ');
  }
  if (config.oauth2 !== undefined) {
    if (oauth2 === undefined) {
      throw new DiscoveryError(
        DiscoveryErrorCode.HttpRefresh,
        'oauth2 is configured but no token source given',
      );
    }
    headers.authorization = await oauth2.authorization(signal);
  } else if (config.basicAuth !== undefined) {
    const b = config.basicAuth;
    const user = b.usernameFile !== undefined ? await readTrimmedFile(b.usernameFile) : (b.username ?? '');
    const password = b.password !== undefined ? await readSecretSource(b.password) : '';
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  } else if (config.authorization !== undefined) {
    const a = config.authorization;
    const credentials = a.credentials !== undefined ? await readSecretSource(a.credentials) : '';
    headers.authorization = `${a.type || 'Bearer'} ${credentials}`;
  }
  return headers;
}
