import type { Field } from './yaml-field.js';
import type { LoadContext } from './load-context.js';
import { resolvePath } from './load-context.js';
import { Secret, type SecretSource } from './secret.js';
import type { HttpClientConfig, OAuth2Config, TlsConfig } from './types.js';

/** The keys of Prometheus's `<http_config>`, which is inlined into scrape jobs, SD configs and remote_write. */
export const HTTP_CLIENT_KEYS: readonly string[] = [
  'basic_auth',
  'authorization',
  'oauth2',
  'bearer_token',
  'bearer_token_file',
  'tls_config',
  'follow_redirects',
  'enable_http2',
  ...proxyKeys(),
  'http_headers',
];

function proxyKeys(): string[] {
  return ['proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header'];
}

const TLS_KEYS = [
  'ca',
  'ca_file',
  'cert',
  'cert_file',
  'key',
  'key_file',
  'server_name',
  'insecure_skip_verify',
  'min_version',
  'max_version',
];

const OAUTH2_KEYS = [
  'client_id',
  'client_secret',
  'client_secret_file',
  'scopes',
  'token_url',
  'endpoint_params',
  'tls_config',
  ...proxyKeys(),
  'grant_type',
  'client_certificate_key_id',
  'client_certificate_key',
  'client_certificate_key_file',
  'signature_algorithm',
  'iss',
  'audience',
  'claims',
];

const TLS_VERSIONS = new Set(['TLS10', 'TLS11', 'TLS12', 'TLS13']);

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Headers `http_headers` must not set, because the HTTP client (or the protocol) owns them. */
const RESERVED_HEADERS = new Set(
  [
    'Authorization',
    'Host',
    'Content-Encoding',
    'Content-Length',
    'Content-Type',
    'User-Agent',
    'Connection',
    'Keep-Alive',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'Www-Authenticate',
    'Accept-Encoding',
    'X-Prometheus-Remote-Write-Version',
    'X-Prometheus-Remote-Read-Version',
    'X-Prometheus-Scrape-Timeout-Seconds',
    'X-Amz-Date',
    'X-Amz-Security-Token',
    'X-Amz-Content-Sha256',
  ].map((h) => h.toLowerCase()),
);

/** Go's `http.CanonicalHeaderKey`: `x-foo-bar` → `X-Foo-Bar`. */
export function canonicalHeaderKey(name: string): string {
  return name
    .split('-')
    .map((p) => (p ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p))
    .join('-');
}

/** The result of reading the inlined `<http_config>` keys of one section. */
export interface ReadHttpClient {
  readonly config: HttpClientConfig;
  /**
   * True when nothing differs from the defaults (kubernetes_sd only allows a custom HTTP client
   * together with `api_server`).
   */
  readonly isDefault: boolean;
}

/**
 * Reads and validates the `<http_config>` keys among `fields` (the other keys of the section are left
 * alone), applying prometheus/common's defaults and rules.
 *
 * @param at the section, used to locate cross-field errors
 * @param defaults `enableHttp2` is `false` for remote_write in Prometheus 3, `true` elsewhere
 */
export function readHttpClient(
  ctx: LoadContext,
  fields: ReadonlyMap<string, Field>,
  at: Field,
  defaults: { enableHttp2: boolean } = { enableHttp2: true },
): ReadHttpClient {
  const f = (k: string) => fields.get(k);
  const present = (k: string) => {
    const v = f(k);
    return v !== undefined && !v.isNull;
  };
  const bearerToken = f('bearer_token')?.str() ?? '';
  const bearerTokenFile = f('bearer_token_file')?.str() ?? '';
  const hasBasic = present('basic_auth');
  const hasOAuth2 = present('oauth2');
  const hasAuthz = present('authorization');

  // The order of these checks follows prometheus/common so that a file with several problems reports
  // the same one first.
  if (bearerToken && bearerTokenFile) {
    (f('bearer_token_file') ?? at).fail('at most one of bearer_token & bearer_token_file must be configured');
  }
  if ((hasBasic || hasOAuth2) && (bearerToken || bearerTokenFile)) {
    (f('bearer_token') ?? f('bearer_token_file') ?? at).fail(
      'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured',
    );
  }

  let basicAuth: HttpClientConfig['basicAuth'];
  if (hasBasic) {
    const bf = f('basic_auth')!;
    const b = bf.struct('basic_auth', ['username', 'username_file', 'password', 'password_file']);
    const username = b.get('username')?.str() ?? '';
    const usernameFile = b.get('username_file')?.str() ?? '';
    const password = b.get('password')?.str() ?? '';
    const passwordFile = b.get('password_file')?.str() ?? '';
    if (username && usernameFile) {
      bf.fail('at most one of basic_auth username, username_file & username_ref must be configured');
    }
    if (password && passwordFile) {
      bf.fail('at most one of basic_auth password, password_file & password_ref must be configured');
    }
    basicAuth = {
      ...(username ? { username } : {}),
      ...(usernameFile ? { usernameFile: resolvePath(ctx, usernameFile) } : {}),
      ...secretSource(ctx, 'password', password, passwordFile),
    };
  }

  let authorization: HttpClientConfig['authorization'];
  if (hasAuthz) {
    const af = f('authorization')!;
    const a = af.struct('authorization', ['type', 'credentials', 'credentials_file']);
    if (bearerToken || bearerTokenFile) {
      af.fail('authorization is not compatible with bearer_token & bearer_token_file');
    }
    const credentials = a.get('credentials')?.str() ?? '';
    const credentialsFile = a.get('credentials_file')?.str() ?? '';
    if (credentials && credentialsFile) {
      af.fail('at most one of authorization credentials & credentials_file must be configured');
    }
    const type = (a.get('type')?.str() ?? '').trim() || 'Bearer';
    if (type.toLowerCase() === 'basic') {
      (a.get('type') ?? af).fail('authorization type cannot be set to "basic", use "basic_auth" instead');
    }
    if (hasBasic || hasOAuth2)
      af.fail('at most one of basic_auth, oauth2 & authorization must be configured');
    const cred = secretSource(ctx, 'credentials', credentials, credentialsFile).credentials;
    authorization = { type, ...(cred ? { credentials: cred } : {}) };
  } else if (bearerToken) {
    authorization = { type: 'Bearer', credentials: { inline: new Secret(bearerToken) } };
  } else if (bearerTokenFile) {
    authorization = { type: 'Bearer', credentials: { file: resolvePath(ctx, bearerTokenFile) } };
  }

  let oauth2: OAuth2Config | undefined;
  if (hasOAuth2) {
    const of = f('oauth2')!;
    if (hasBasic) of.fail('at most one of basic_auth, oauth2 & authorization must be configured');
    oauth2 = readOAuth2(ctx, of);
  }

  const proxy = readProxy(fields, at);
  const tlsConfig = readTls(ctx, f('tls_config'));

  const httpHeaders: Record<string, { values: string[]; secrets: Secret[]; files: string[] }> = {};
  const hf = f('http_headers');
  if (hf) {
    for (const [name, hv] of hf.entries('into http_headers')) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) {
        hv.fail(`setting header ${JSON.stringify(canonicalHeaderKey(name))} is not allowed`);
      }
      const h = hv.struct('header', ['values', 'secrets', 'files']);
      httpHeaders[name] = {
        values: h.get('values')?.strList() ?? [],
        secrets: (h.get('secrets')?.strList() ?? []).map((s) => new Secret(s)),
        files: (h.get('files')?.strList() ?? []).map((p) => resolvePath(ctx, p)),
      };
    }
  }

  const followRedirects =
    f('follow_redirects') && !f('follow_redirects')!.isNull ? f('follow_redirects')!.bool() : true;
  const enableHttp2 =
    f('enable_http2') && !f('enable_http2')!.isNull ? f('enable_http2')!.bool() : defaults.enableHttp2;

  const config: HttpClientConfig = {
    ...(basicAuth ? { basicAuth } : {}),
    ...(authorization ? { authorization } : {}),
    ...(oauth2 ? { oauth2 } : {}),
    tlsConfig,
    ...(proxy.proxyUrl ? { proxyUrl: proxy.proxyUrl } : {}),
    ...(proxy.noProxy ? { noProxy: proxy.noProxy } : {}),
    proxyFromEnvironment: proxy.proxyFromEnvironment,
    proxyConnectHeader: proxy.proxyConnectHeader,
    httpHeaders,
    followRedirects,
    enableHttp2,
  };
  const isDefault =
    !basicAuth &&
    !authorization &&
    !oauth2 &&
    isDefaultTls(tlsConfig) &&
    !proxy.proxyUrl &&
    !proxy.noProxy &&
    !proxy.proxyFromEnvironment &&
    Object.keys(proxy.proxyConnectHeader).length === 0 &&
    Object.keys(httpHeaders).length === 0 &&
    followRedirects &&
    enableHttp2 === defaults.enableHttp2;
  return { config, isDefault };
}

/** The default `<http_config>`: follow redirects, HTTP/2 as given, nothing else. */
export function defaultHttpClient(enableHttp2 = true): HttpClientConfig {
  return {
    tlsConfig: { insecureSkipVerify: false },
    proxyFromEnvironment: false,
    proxyConnectHeader: {},
    httpHeaders: {},
    followRedirects: true,
    enableHttp2,
  };
}

function isDefaultTls(t: TlsConfig): boolean {
  return Object.keys(t).length === 1 && !t.insecureSkipVerify;
}

function secretSource<K extends string>(
  ctx: LoadContext,
  key: K,
  inline: string,
  file: string,
): { [P in K]?: SecretSource } {
  if (inline) return { [key]: { inline: new Secret(inline) } } as { [P in K]?: SecretSource };
  if (file) return { [key]: { file: resolvePath(ctx, file) } } as { [P in K]?: SecretSource };
  return {};
}

function readProxy(
  fields: ReadonlyMap<string, Field>,
  at: Field,
): {
  proxyUrl: string;
  noProxy: string;
  proxyFromEnvironment: boolean;
  proxyConnectHeader: Record<string, Secret[]>;
} {
  const proxyUrl = fields.get('proxy_url')?.str() ?? '';
  const noProxy = fields.get('no_proxy')?.str() ?? '';
  const proxyFromEnvironment = fields.get('proxy_from_environment')?.bool() ?? false;
  const proxyConnectHeader: Record<string, Secret[]> = {};
  const ph = fields.get('proxy_connect_header');
  if (ph) {
    for (const [name, v] of ph.entries('into proxy_connect_header')) {
      proxyConnectHeader[name] = v.strList().map((s) => new Secret(s));
    }
  }
  if (proxyUrl) {
    const u = fields.get('proxy_url')!;
    if (!URL.canParse(proxyUrl)) u.fail(`parse ${JSON.stringify(proxyUrl)}: invalid URL`);
  }
  const where = (k: string) => fields.get(k) ?? at;
  if (Object.keys(proxyConnectHeader).length > 0 && !proxyFromEnvironment && !proxyUrl) {
    where('proxy_connect_header').fail(
      'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured',
    );
  }
  if (proxyFromEnvironment && proxyUrl) {
    where('proxy_url').fail('if proxy_from_environment is configured, proxy_url must not be configured');
  }
  if (proxyFromEnvironment && noProxy) {
    where('no_proxy').fail('if proxy_from_environment is configured, no_proxy must not be configured');
  }
  if (!proxyUrl && noProxy) {
    where('no_proxy').fail('if no_proxy is configured, proxy_url must also be configured');
  }
  return { proxyUrl, noProxy, proxyFromEnvironment, proxyConnectHeader };
}

/** Reads `tls_config` (also used by oauth2). Absent reads as the default (verify, no client cert). */
export function readTls(ctx: LoadContext, field: Field | undefined): TlsConfig {
  if (!field) return { insecureSkipVerify: false };
  const t = field.struct('tls_config', TLS_KEYS);
  const s = (k: string) => t.get(k)?.str() ?? '';
  const version = (k: string) => {
    const v = s(k);
    if (v && !TLS_VERSIONS.has(v)) t.get(k)!.fail(`unknown TLS version: ${v}`);
    return v as 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13' | '';
  };
  if (s('ca') && s('ca_file')) field.fail('at most one of ca, ca_file & ca_ref must be configured');
  if (s('cert') && s('cert_file')) field.fail('at most one of cert, cert_file & cert_ref must be configured');
  if (s('key') && s('key_file')) field.fail('at most one of key and key_file must be configured');
  const usingCert = Boolean(s('cert') || s('cert_file'));
  const usingKey = Boolean(s('key') || s('key_file'));
  if (usingCert && !usingKey) {
    field.fail('exactly one of key or key_file must be configured when a client certificate is configured');
  }
  if (usingKey && !usingCert) {
    field.fail('exactly one of cert or cert_file must be configured when a client key is configured');
  }
  const minVersion = version('min_version');
  const maxVersion = version('max_version');
  return {
    ...(s('ca') ? { ca: s('ca') } : {}),
    ...(s('ca_file') ? { caFile: resolvePath(ctx, s('ca_file')) } : {}),
    ...(s('cert') ? { cert: s('cert') } : {}),
    ...(s('cert_file') ? { certFile: resolvePath(ctx, s('cert_file')) } : {}),
    ...(s('key') ? { key: new Secret(s('key')) } : {}),
    ...(s('key_file') ? { keyFile: resolvePath(ctx, s('key_file')) } : {}),
    ...(s('server_name') ? { serverName: s('server_name') } : {}),
    insecureSkipVerify: t.get('insecure_skip_verify')?.bool() ?? false,
    ...(minVersion ? { minVersion } : {}),
    ...(maxVersion ? { maxVersion } : {}),
  };
}

function readOAuth2(ctx: LoadContext, field: Field): OAuth2Config {
  const o = field.struct('oauth2', OAUTH2_KEYS);
  const s = (k: string) => o.get(k)?.str() ?? '';
  const clientId = s('client_id');
  const tokenUrl = s('token_url');
  if (!clientId) field.fail('oauth2 client_id must be configured');
  if (!tokenUrl) field.fail('oauth2 token_url must be configured');
  if (s('grant_type') === JWT_BEARER_GRANT) {
    if (s('client_certificate_key') && s('client_certificate_key_file')) {
      field.fail(
        `at most one of oauth2 client_certificate_key, client_certificate_key_file & client_certificate_key_ref must be configured using grant-type=${JWT_BEARER_GRANT}`,
      );
    }
    const alg = s('signature_algorithm');
    if (alg && !['RS256', 'RS384', 'RS512'].includes(alg)) {
      o.get('signature_algorithm')!.fail('valid signature algorithms are RS256, RS384 and RS512');
    }
  } else if (s('client_secret') && s('client_secret_file')) {
    field.fail(
      'at most one of oauth2 client_secret, client_secret_file & client_secret_ref must be configured using grant-type=client_credentials',
    );
  }
  const proxy = readProxy(o, field);
  return {
    clientId,
    ...secretSource(ctx, 'clientSecret', s('client_secret'), s('client_secret_file')),
    scopes: o.get('scopes')?.strList() ?? [],
    tokenUrl,
    endpointParams: o.get('endpoint_params')?.strMap() ?? {},
    tlsConfig: readTls(ctx, o.get('tls_config')),
    ...(proxy.proxyUrl ? { proxyUrl: proxy.proxyUrl } : {}),
  };
}
