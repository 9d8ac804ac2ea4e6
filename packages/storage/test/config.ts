/** Builders of typed remote write configs with Prometheus 3 defaults, for tests. */
import type { HttpClientConfig, QueueConfig, RemoteWriteConfig } from '@scrapewire/config';

export const DEFAULT_HTTP: HttpClientConfig = {
  tlsConfig: { insecureSkipVerify: false },
  proxyFromEnvironment: false,
  proxyConnectHeader: {},
  httpHeaders: {},
  followRedirects: true,
  enableHttp2: false,
};

export const DEFAULT_QUEUE: QueueConfig = {
  capacity: 10_000,
  maxShards: 50,
  minShards: 1,
  maxSamplesPerSend: 2000,
  batchSendDeadlineMs: 5000,
  minBackoffMs: 30,
  maxBackoffMs: 5000,
  retryOnHttp429: false,
  sampleAgeLimitMs: 0,
};

export function remoteWriteConfig(
  url: string,
  over: Partial<Omit<RemoteWriteConfig, 'queueConfig'>> & { queueConfig?: Partial<QueueConfig> } = {},
): RemoteWriteConfig {
  const { queueConfig, ...rest } = over;
  return {
    url,
    remoteTimeoutMs: 30_000,
    headers: {},
    writeRelabelConfigs: [],
    sendExemplars: false,
    sendNativeHistograms: false,
    roundRobinDns: false,
    protobufMessage: 'prometheus.WriteRequest',
    httpClient: DEFAULT_HTTP,
    metadataConfig: { send: false, sendIntervalMs: 60_000, maxSamplesPerSend: 2000 },
    ...rest,
    queueConfig: { ...DEFAULT_QUEUE, ...queueConfig },
  };
}
