export { Secret } from './secret.js';
export type { SecretSource } from './secret.js';
export type {
  PrometheusConfig,
  GlobalConfig,
  ScrapeConfig,
  ScrapeProtocol,
  ServiceDiscoveryConfigs,
  StaticConfig,
  FileSDConfig,
  HttpSDConfig,
  KubernetesRole,
  KubernetesSDConfig,
  HttpClientConfig,
  OAuth2Config,
  TlsConfig,
  RemoteWriteConfig,
  QueueConfig,
  MetadataConfig,
} from './types.js';
