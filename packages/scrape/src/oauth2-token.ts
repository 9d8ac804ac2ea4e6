import { readFile } from 'node:fs/promises';
import type { OAuth2Config, SecretSource } from '@scrapewire/config';
import type { Dispatcher } from 'undici';
import { request } from 'undici';

/** Reads a secret given inline or as a file; a file is read on every use so rotated secrets are seen. */
export async function revealSecret(source: SecretSource | undefined): Promise<string> {
  if (source === undefined) return '';
  if ('inline' in source) return source.inline.reveal();
  return (await readFile(source.file, 'utf8')).trim();
}

/**
 * Fetches and caches an OAuth2 access token with the client-credentials grant, as Go's
 * `clientcredentials` package does for Prometheus: the token is reused until shortly before it expires,
 * and concurrent callers share one token request.
 */
export class OAuth2TokenSource {
  private token: { value: string; type: string; expiresAtMs: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly config: OAuth2Config,
    private readonly dispatcher: Dispatcher,
    private readonly now: () => number = Date.now,
  ) {}

  /** The `Authorization` header value, fetching a new token when the cached one has expired. */
  async authorization(signal?: AbortSignal): Promise<string> {
    const t = this.token;
    // Go's oauth2 treats a token as expired 10 s before its expiry.
    if (t !== undefined && this.now() < t.expiresAtMs - 10_000) return `${t.type} ${t.value}`;
    this.pending ??= this.fetch(signal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetch(signal?: AbortSignal): Promise<string> {
    const c = this.config;
    const secret = await revealSecret(c.clientSecret);
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (c.scopes.length > 0) form.set('scope', c.scopes.join(' '));
    for (const [k, v] of Object.entries(c.endpointParams)) form.set(k, v);
    const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(secret)}`).toString(
      'base64',
    );
    const res = await request(c.tokenUrl, {
      method: 'POST',
      dispatcher: this.dispatcher,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${basic}`,
        accept: 'application/json',
      },
      body: form.toString(),
      ...(signal ? { signal } : {}),
    });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw new Error(`oauth2: cannot fetch token: status ${res.statusCode}: ${text.slice(0, 200)}`);
    }
    let json: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch (e) {
      throw new Error('oauth2: cannot parse token response', { cause: e });
    }
    if (typeof json.access_token !== 'string' || json.access_token === '') {
      throw new Error('oauth2: server response missing access_token');
    }
    const type = typeof json.token_type === 'string' && json.token_type !== '' ? json.token_type : 'Bearer';
    // Normalise "bearer" to "Bearer" as Go's oauth2.Token.Type does.
    const normType = type.toLowerCase() === 'bearer' ? 'Bearer' : type;
    const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : Number(json.expires_in);
    const expiresAtMs =
      Number.isFinite(expiresIn) && expiresIn > 0 ? this.now() + expiresIn * 1000 : Infinity;
    this.token = { value: json.access_token, type: normType, expiresAtMs };
    return `${normType} ${json.access_token}`;
  }
}
