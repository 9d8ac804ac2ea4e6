import { formatDuration } from '@scrapewire/model';
import { stringify } from 'yaml';
import { Secret } from './secret.js';
import type { PrometheusConfig } from './types.js';
import { formatSize } from './units.js';

const REDACTED = '<secret>';

/** Keys whose snake_case spelling is not the mechanical one. */
const KEY_OVERRIDES: Readonly<Record<string, string>> = {
  retryOnHttp429: 'retry_on_http_429',
  remoteWrite: 'remote_write',
};

/** Fields that are bookkeeping of the loader, not part of the file format. */
const SKIP = new Set(['ignoredSections', 'warnings', 'sourceFile']);

/** Objects whose keys are inlined into their parent in the file format. */
const INLINE = new Set(['httpClient', 'serviceDiscovery']);

/** Maps whose keys are user data (label names, header names) and must not be renamed. */
const USER_KEYED = new Set([
  'externalLabels',
  'labels',
  'params',
  'headers',
  'httpHeaders',
  'proxyConnectHeader',
  'endpointParams',
]);

function snake(key: string): string {
  return KEY_OVERRIDES[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isSecretSource(v: unknown): v is { inline: Secret } | { file: string } {
  if (v === null || typeof v !== 'object') return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (v as { inline?: unknown }).inline instanceof Secret
    ? true
    : keys.length === 1 && keys[0] === 'file' && typeof (v as { file?: unknown }).file === 'string';
}

function convert(value: unknown, userKeyed: boolean): unknown {
  if (value instanceof Secret) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => convert(v, false));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || SKIP.has(key)) continue;
    if (userKeyed) {
      out[key] = convert(v, false);
      continue;
    }
    if (INLINE.has(key)) {
      Object.assign(out, convert(v, false) as Record<string, unknown>);
      continue;
    }
    if (isSecretSource(v)) {
      // A secret given as a file is shown as its `*_file` key: the path is not secret.
      if ('file' in v) out[`${snake(key)}_file`] = v.file;
      else out[snake(key)] = REDACTED;
      continue;
    }
    if (key.endsWith('Ms') && typeof v === 'number') {
      out[snake(key.slice(0, -2))] = formatDuration(v);
      continue;
    }
    if (key.endsWith('Bytes') && typeof v === 'number') {
      out[snake(key.slice(0, -5))] = formatSize(v);
      continue;
    }
    if (Array.isArray(v) && v.length === 0) continue;
    if (v !== null && typeof v === 'object' && !(v instanceof Secret) && Object.keys(v).length === 0)
      continue;
    out[snake(key)] = convert(v, USER_KEYED.has(key));
  }
  return out;
}

/**
 * The configuration in Prometheus's file format (snake_case keys, durations and sizes as text) with
 * every secret replaced by `<secret>`; what `/api/v1/status/config` shows. Secrets given as files show
 * their path under the `*_file` key.
 */
export function redactConfig(config: PrometheusConfig): Record<string, unknown> {
  return convert(config, false) as Record<string, unknown>;
}

/** {@link redactConfig} as YAML text. */
export function dumpConfigYaml(config: PrometheusConfig): string {
  return stringify(redactConfig(config), { lineWidth: 0 });
}
