import { HTTP_CLIENT_KEYS, readHttpClient } from './http-client.js';
import type { LoadContext } from './load-context.js';
import { readRelabelConfigs } from './relabel-rules.js';
import type { MetadataConfig, QueueConfig, RemoteWriteConfig } from './types.js';
import { parseDuration } from './units.js';
import { type Field, optionalStruct } from './yaml-field.js';

/** Prometheus 3's `queue_config` defaults (2.42 used capacity 2500, max_shards 200, 500 per send). */
export const DEFAULT_QUEUE_CONFIG: QueueConfig = Object.freeze({
  capacity: 10000,
  maxShards: 50,
  minShards: 1,
  maxSamplesPerSend: 2000,
  batchSendDeadlineMs: 5000,
  minBackoffMs: 30,
  maxBackoffMs: 5000,
  retryOnHttp429: false,
  sampleAgeLimitMs: 0,
});

/** Prometheus 3's `metadata_config` defaults. */
export const DEFAULT_METADATA_CONFIG: MetadataConfig = Object.freeze({
  send: true,
  sendIntervalMs: 60_000,
  maxSamplesPerSend: 2000,
});

const KEYS = [
  'url',
  'remote_timeout',
  'headers',
  'write_relabel_configs',
  'name',
  'send_exemplars',
  'send_native_histograms',
  'round_robin_dns',
  'protobuf_message',
  'failed_request_logging',
  'queue_config',
  'metadata_config',
  'sigv4',
  'azuread',
  'google_iam',
  ...HTTP_CLIENT_KEYS,
];

/** Headers remote_write must not set: the protocol or the HTTP client owns them (lower case). */
export const REMOTE_WRITE_RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'content-encoding',
  'content-length',
  'content-type',
  'user-agent',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'www-authenticate',
  'accept-encoding',
  'x-prometheus-remote-write-version',
  'x-prometheus-remote-read-version',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
]);

const PROTOBUF_MESSAGES = ['prometheus.WriteRequest', 'io.prometheus.write.v2.Request'] as const;

/** Reads one `remote_write` entry; `index` names it in warnings. */
export function readRemoteWrite(
  ctx: LoadContext,
  entry: Field,
  nameValidationScheme: 'utf8' | 'legacy',
): RemoteWriteConfig {
  const f = entry.struct('remote_write', KEYS);
  const duration = (k: string, dflt: number, from: Map<string, Field> = f) => {
    const v = from.get(k);
    if (!v || v.isNull) return dflt;
    try {
      return parseDuration(v.str());
    } catch (err) {
      return v.fail((err as Error).message);
    }
  };
  const url = f.get('url')?.str() ?? '';
  if (!url) entry.fail('url for remote_write is empty');
  if (!URL.canParse(url)) f.get('url')!.fail(`parse ${JSON.stringify(url)}: invalid URL`);
  const remoteTimeoutMs = duration('remote_timeout', 30_000);
  const writeRelabelConfigs = readRelabelConfigs(
    f.get('write_relabel_configs'),
    'empty or null relabeling rule in remote write config',
    nameValidationScheme,
  );
  const headersField = f.get('headers');
  const headers = headersField?.strMap() ?? {};
  for (const [name, hf] of headersField?.entries() ?? []) {
    if (name.toLowerCase() === 'authorization') {
      hf.fail(
        'authorization header must be changed via the basic_auth, authorization, oauth2, sigv4, azuread or google_iam parameter',
      );
    }
    if (REMOTE_WRITE_RESERVED_HEADERS.has(name.toLowerCase()))
      hf.fail(`${name} is a reserved header. It must not be changed`);
  }
  const protobufMessage = f.get('protobuf_message')?.str() || 'prometheus.WriteRequest';
  if (!(PROTOBUF_MESSAGES as readonly string[]).includes(protobufMessage)) {
    f.get('protobuf_message')!.fail(
      `invalid protobuf_message value: unknown remote write protobuf message ${protobufMessage}, supported: ${PROTOBUF_MESSAGES.join(', ')}`,
    );
  }
  const http = readHttpClient(ctx, f, entry, { enableHttp2: false });

  const q = optionalStruct(f.get('queue_config'), 'queue_config', [
    'capacity',
    'max_shards',
    'min_shards',
    'max_samples_per_send',
    'batch_send_deadline',
    'min_backoff',
    'max_backoff',
    'retry_on_http_429',
    'sample_age_limit',
  ]);
  // yaml.v2 leaves an omitted (or 0) field at the default because the section starts from the defaults.
  const qint = (k: string, dflt: number) => {
    const v = q.get(k);
    return v && !v.isNull ? v.int() : dflt;
  };
  const d = DEFAULT_QUEUE_CONFIG;
  const queueConfig: QueueConfig = {
    capacity: qint('capacity', d.capacity),
    maxShards: qint('max_shards', d.maxShards),
    minShards: qint('min_shards', d.minShards),
    maxSamplesPerSend: qint('max_samples_per_send', d.maxSamplesPerSend),
    batchSendDeadlineMs: duration('batch_send_deadline', d.batchSendDeadlineMs, q),
    minBackoffMs: duration('min_backoff', d.minBackoffMs, q),
    maxBackoffMs: duration('max_backoff', d.maxBackoffMs, q),
    retryOnHttp429: q.get('retry_on_http_429')?.bool() ?? false,
    sampleAgeLimitMs: duration('sample_age_limit', 0, q),
  };
  const qf = f.get('queue_config') ?? entry;
  if (queueConfig.maxShards <= 0) qf.fail('remote write queue max_shards must be positive');
  if (queueConfig.minShards <= 0) qf.fail('remote write queue min_shards must be positive');
  if (queueConfig.minShards > queueConfig.maxShards) {
    qf.fail('remote write queue min_shards must not be greater than max_shards');
  }
  if (queueConfig.maxSamplesPerSend <= 0) qf.fail('remote write queue max_samples_per_send must be positive');
  if (queueConfig.capacity <= 0) qf.fail('remote write queue capacity must be positive');
  if (queueConfig.maxBackoffMs < queueConfig.minBackoffMs) {
    qf.fail('remote write queue max_backoff must not be less than min_backoff');
  }

  const m = optionalStruct(f.get('metadata_config'), 'metadata_config', [
    'send',
    'send_interval',
    'max_samples_per_send',
  ]);
  const metadataConfig: MetadataConfig = {
    send: m.get('send') && !m.get('send')!.isNull ? m.get('send')!.bool() : DEFAULT_METADATA_CONFIG.send,
    sendIntervalMs: duration('send_interval', DEFAULT_METADATA_CONFIG.sendIntervalMs, m),
    maxSamplesPerSend:
      m.get('max_samples_per_send') && !m.get('max_samples_per_send')!.isNull
        ? m.get('max_samples_per_send')!.int()
        : DEFAULT_METADATA_CONFIG.maxSamplesPerSend,
  };

  const auth: string[] = [];
  if (http.config.basicAuth) auth.push('basic_auth');
  if (http.config.authorization) auth.push('authorization');
  if (http.config.oauth2) auth.push('oauth2');
  for (const k of ['sigv4', 'azuread', 'google_iam']) {
    const v = f.get(k);
    if (v && !v.isNull) {
      v.entries(`into ${k}`);
      auth.push(k);
      ctx.warnings.push(
        `${v.path}: ${k} authentication is not supported by scrapewire; requests are sent without it`,
      );
    }
  }
  if (auth.length > 1) {
    entry.fail(
      `at most one of basic_auth, authorization, oauth2, sigv4, azuread or google_iam must be configured. Currently configured: [${auth.join(' ')}]`,
    );
  }
  const name = f.get('name')?.str() ?? '';
  return {
    url,
    ...(name ? { name } : {}),
    remoteTimeoutMs,
    headers,
    writeRelabelConfigs,
    sendExemplars: f.get('send_exemplars')?.bool() ?? false,
    sendNativeHistograms: f.get('send_native_histograms')?.bool() ?? false,
    roundRobinDns: f.get('round_robin_dns')?.bool() ?? false,
    protobufMessage: protobufMessage as RemoteWriteConfig['protobufMessage'],
    httpClient: http.config,
    queueConfig,
    metadataConfig,
  };
}
