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

/* Loading */
export { loadConfig, loadConfigFile } from './load-config.js';
export { expandFilePattern, hasGlobMeta } from './glob.js';
export type { LoadConfigOptions } from './load-config.js';
export { checkConfigFile } from './check-config-file.js';
export type { ConfigCheckResult } from './check-config-file.js';
export { ConfigError } from './errors.js';
export { parseDuration, parseSize, formatSize } from './units.js';
export {
  DEFAULT_SCRAPE_PROTOCOLS,
  DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS,
  SCRAPE_PROTOCOLS,
} from './scrape-config.js';
export {
  DEFAULT_QUEUE_CONFIG,
  DEFAULT_METADATA_CONFIG,
  REMOTE_WRITE_RESERVED_HEADERS,
} from './remote-write.js';
export { defaultHttpClient } from './http-client.js';

/* Secrets and the status dump */
export { readSecret } from './read-secret.js';
export { redactConfig, dumpConfigYaml } from './redact-config.js';

/* Reloading */
export { watchConfig } from './watch-config.js';
export type { ConfigLoadEvent, WatchConfigOptions } from './watch-config.js';
