import type { Labels } from '@scrapewire/model';

/**
 * Builds the URL a target is scraped at, as Prometheus's `Target.URL` does: scheme from `__scheme__`,
 * host from `__address__`, path from `__metrics_path__`, and a query made of the job's `params` where
 * every `__param_<name>` label replaces the first value of `<name>` (or adds it). The query is encoded
 * like Go's `url.Values.Encode`: keys sorted, `+` for spaces, everything but `A-Za-z0-9-_.~`
 * percent-encoded.
 *
 * @param labels - the target's full label set (including `__` labels), as from `populateTargetLabels`.
 * @param params - the job's `params`.
 */
export function targetScrapeUrl(
  labels: Labels,
  params: Readonly<Record<string, readonly string[]>> = {},
): string {
  const query = new Map<string, string[]>();
  for (const k of Object.keys(params)) query.set(k, [...params[k]!]);
  labels.forEach((name, value) => {
    if (!name.startsWith('__param_')) return;
    const key = name.slice('__param_'.length);
    const values = query.get(key);
    if (values !== undefined && values.length > 0) values[0] = value;
    else query.set(key, [value]);
  });
  const parts: string[] = [];
  for (const key of [...query.keys()].sort(compareUtf8)) {
    const k = queryEscape(key);
    for (const v of query.get(key)!) parts.push(`${k}=${queryEscape(v)}`);
  }
  const scheme = labels.get('__scheme__');
  const host = labels.get('__address__');
  let path = labels.get('__metrics_path__');
  // Go's URL.String inserts the slash between a host and a relative path.
  if (path !== '' && !path.startsWith('/') && host !== '') path = `/${path}`;
  let url = scheme !== '' ? `${scheme}:` : '';
  if (scheme !== '' || host !== '') url += `//${escapeHost(host)}`;
  url += escapePath(path);
  if (parts.length > 0) url += `?${parts.join('&')}`;
  return url;
}

// Go sorts keys by bytes (UTF-8), which differs from UTF-16 order above U+FFFF.
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const encoder = new TextEncoder();

function percent(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}

function isUnreserved(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x7e
  );
}

/** Go's `url.QueryEscape`. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of encoder.encode(s)) {
    if (isUnreserved(byte)) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += percent(byte);
  }
  return out;
}

// Reserved characters Go leaves alone in a path: $ & + , / : ; = @
const PATH_KEEP = new Set([0x24, 0x26, 0x2b, 0x2c, 0x2f, 0x3a, 0x3b, 0x3d, 0x40]);

function escapePath(s: string): string {
  let out = '';
  for (const byte of encoder.encode(s)) {
    out += isUnreserved(byte) || PATH_KEEP.has(byte) ? String.fromCharCode(byte) : percent(byte);
  }
  return out;
}

// Sub-delimiters and the characters Go allows unescaped in a host: ! $ & ' ( ) * + , ; = : [ ] < > "
const HOST_KEEP = new Set([
  0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x3b, 0x3d, 0x3a, 0x5b, 0x5d, 0x3c, 0x3e, 0x22,
]);

function escapeHost(s: string): string {
  let out = '';
  for (const byte of encoder.encode(s)) {
    out += isUnreserved(byte) || HOST_KEEP.has(byte) ? String.fromCharCode(byte) : percent(byte);
  }
  return out;
}
