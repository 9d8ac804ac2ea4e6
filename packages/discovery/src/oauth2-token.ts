import type { OAuth2Config } from '@scrapewire/config';
import { type Dispatcher, request } from 'undici';
import { DiscoveryError, DiscoveryErrorCode } from './errors.js';
import { createDispatcher } from './http-client.js';
import { readSecretSource } from './secret-source.js';

/** Renew a token this long before it expires, as Go's oauth2 package does (its `expiryDelta`). */
const EXPIRY_MARGIN_MS = 10_000;

/**
 * Fetches and caches an OAuth 2.0 access token with the client-credentials grant (`<oauth2>` in
 * Prometheus's HTTP config): client id and secret as HTTP basic auth, `scope` from `scopes`, plus
 * `endpoint_params`. A token is reused until shortly before `expires_in` runs out; one without
 * `expires_in` is reused until the server rejects it (call {@link OAuth2TokenSource.invalidate}).
 */
export class OAuth2TokenSource {
  readonly #config: OAuth2Config;
  readonly #now: () => number;
  #token: { header: string; expiresAt: number } | undefined;
  #dispatcher: Promise<Dispatcher> | undefined;

  constructor(config: OAuth2Config, now: () => number = Date.now) {
    this.#config = config;
    this.#now = now;
  }

  /** The `Authorization` header value (`Bearer <token>`), fetching a token when none is valid. */
  async authorization(signal?: AbortSignal): Promise<string> {
    const t = this.#token;
    if (t !== undefined && this.#now() < t.expiresAt - EXPIRY_MARGIN_MS) return t.header;
    const c = this.#config;
    const secret = c.clientSecret !== undefined ? await readSecretSource(c.clientSecret) : '';
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (c.scopes.length > 0) form.set('scope', c.scopes.join(' '));
    for (const [k, v] of Object.entries(c.endpointParams)) form.set(k, v);
    const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(secret)}`).toString(
      'base64',
    );
    this.#dispatcher ??= createDispatcher({
      tlsConfig: c.tlsConfig,
      ...(c.proxyUrl !== undefined ? { proxyUrl: c.proxyUrl } : {}),
      proxyFromEnvironment: false,
      proxyConnectHeader: {},
      httpHeaders: {},
      followRedirects: true,
      enableHttp2: false,
    });
    const res = await request(c.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${basic}`,
      },
      body: form.toString(),
      dispatcher: await this.#dispatcher,
      ...(signal !== undefined ? { signal } : {}),
    });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw new DiscoveryError(
        DiscoveryErrorCode.HttpRefresh,
        `oauth2: cannot fetch token: status ${res.statusCode}: ${text.slice(0, 200)}`,
      );
    }
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw new DiscoveryError(DiscoveryErrorCode.HttpRefresh, 'oauth2: token response is not JSON', {
        cause,
      });
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new DiscoveryError(
        DiscoveryErrorCode.HttpRefresh,
        'oauth2: server response missing access_token',
      );
    }
    // Go's oauth2 always sends "Bearer" for bearer tokens whatever case the server used.
    const type =
      typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer'
        ? body.token_type
        : 'Bearer';
    const expiresIn = Number(body.expires_in);
    const expiresAt = Number.isFinite(expiresIn) && expiresIn > 0 ? this.#now() + expiresIn * 1000 : Infinity;
    this.#token = { header: `${type} ${body.access_token}`, expiresAt };
    return this.#token.header;
  }

  /** Forgets the cached token, e.g. after the resource server answered 401. */
  invalidate(): void {
    this.#token = undefined;
  }

  /** Closes the token client's connections. */
  async close(): Promise<void> {
    const d = this.#dispatcher;
    this.#dispatcher = undefined;
    await d?.then((x) => x.destroy()).catch(() => {});
  }
}
