/**
 * The typed, validated, defaults-applied form of a Prometheus configuration file.
 *
 * Field names are camelCase with units in the name (`scrapeIntervalMs`, `bodySizeLimitBytes`); the
 * snake_case keys of the file format exist only in the loader. Every object here is plain data (plus
 * {@link Secret}) and frozen after loading; library packages (discovery, scrape, storage) take these
 * types as their options, and embedders may build them in code.
 */
import type { RelabelConfig } from '@scrapewire/relabel';
import type { Secret, SecretSource } from './secret.js';

/** A scrape protocol name as Prometheus spells it in `scrape_protocols`. */
export type ScrapeProtocol =
  | 'PrometheusProto'
  | 'PrometheusText0.0.4'
  | 'PrometheusText1.0.0'
  | 'OpenMetricsText0.0.1'
  | 'OpenMetricsText1.0.0';

/** The whole configuration file. */
export interface PrometheusConfig {
  readonly global: GlobalConfig;
  readonly scrapeConfigs: readonly ScrapeConfig[];
  readonly remoteWrite: readonly RemoteWriteConfig[];
  /** Top-level sections that are accepted but not acted on (`rule_files`, `alerting`, …), by key. */
  readonly ignoredSections: readonly string[];
  /** The file it was loaded from, when it came from a file. */
  readonly sourceFile?: string;
  /**
   * Things the loader accepted but scrapewire will not do (an SD mechanism it does not run, an auth
   * method it does not support, an empty environment variable), one sentence each. Always set by the
   * loader; optional so that configs built in code need not list it.
   */
  readonly warnings?: readonly string[];
  /**
   * `scrape_config_files` patterns, resolved against the config file's directory. `loadConfigFile` has
   * already merged the jobs they match into {@link PrometheusConfig.scrapeConfigs}.
   */
  readonly scrapeConfigFiles?: readonly string[];
  /** `rule_files` patterns, resolved against the config file's directory (not acted on; for checks). */
  readonly ruleFiles?: readonly string[];
}

export interface GlobalConfig {
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  readonly evaluationIntervalMs: number;
  /** `undefined` when not set: each job then picks its own default (see {@link ScrapeConfig.scrapeProtocols}). */
  readonly scrapeProtocols?: readonly ScrapeProtocol[];
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly bodySizeLimitBytes: number;
  readonly sampleLimit: number;
  readonly labelLimit: number;
  readonly labelNameLengthLimit: number;
  readonly labelValueLengthLimit: number;
  readonly targetLimit: number;
  readonly keepDroppedTargets: number;
  readonly metricNameValidationScheme: 'utf8' | 'legacy';
  /** Derived from the validation scheme when not set (`underscores` for legacy, else `allow-utf-8`). */
  readonly metricNameEscapingScheme?: 'allow-utf-8' | 'underscores' | 'dots' | 'values';
  readonly scrapeNativeHistograms: boolean;
  readonly alwaysScrapeClassicHistograms: boolean;
  readonly convertClassicHistogramsToNhcb: boolean;
  readonly extraScrapeMetrics: boolean;
  readonly scrapeFailureLogFile?: string;
  readonly queryLogFile?: string;
}

/** One `scrape_configs` entry, with every default and every inherited global value resolved. */
export interface ScrapeConfig {
  readonly jobName: string;
  readonly scrapeIntervalMs: number;
  readonly scrapeTimeoutMs: number;
  /** In preference order; resolved from the job, the global list, or Prometheus's default. */
  readonly scrapeProtocols: readonly ScrapeProtocol[];
  readonly fallbackScrapeProtocol?: ScrapeProtocol;
  readonly scrapeNativeHistograms: boolean;
  readonly alwaysScrapeClassicHistograms: boolean;
  readonly convertClassicHistogramsToNhcb: boolean;
  readonly metricsPath: string;
  readonly scheme: 'http' | 'https';
  readonly params: Readonly<Record<string, readonly string[]>>;
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly trackTimestampsStaleness: boolean;
  readonly enableCompression: boolean;
  /** 0 means no limit. */
  readonly bodySizeLimitBytes: number;
  readonly sampleLimit: number;
  readonly labelLimit: number;
  readonly labelNameLengthLimit: number;
  readonly labelValueLengthLimit: number;
  readonly targetLimit: number;
  /** 0 keeps every dropped target. */
  readonly keepDroppedTargets: number;
  readonly nativeHistogramBucketLimit: number;
  readonly nativeHistogramMinBucketFactor: number;
  readonly metricNameValidationScheme: 'utf8' | 'legacy';
  readonly metricNameEscapingScheme: 'allow-utf-8' | 'underscores' | 'dots' | 'values';
  readonly extraScrapeMetrics: boolean;
  readonly scrapeFailureLogFile?: string;
  readonly httpClient: HttpClientConfig;
  readonly relabelConfigs: readonly RelabelConfig[];
  readonly metricRelabelConfigs: readonly RelabelConfig[];
  readonly serviceDiscovery: ServiceDiscoveryConfigs;
}

/** Every SD mechanism a job can list. Absent mechanisms are empty arrays. */
export interface ServiceDiscoveryConfigs {
  readonly staticConfigs: readonly StaticConfig[];
  readonly fileSdConfigs: readonly FileSDConfig[];
  readonly httpSdConfigs: readonly HttpSDConfig[];
  readonly kubernetesSdConfigs: readonly KubernetesSDConfig[];
}

export interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export interface FileSDConfig {
  /** Patterns as written (a `*` only in the last path segment), resolved against the config file's directory. */
  readonly files: readonly string[];
  readonly refreshIntervalMs: number;
}

export interface HttpSDConfig {
  readonly url: string;
  readonly refreshIntervalMs: number;
  readonly httpClient: HttpClientConfig;
}

export type KubernetesRole = 'node' | 'pod' | 'service' | 'endpoints' | 'endpointslice' | 'ingress';

export interface KubernetesSDConfig {
  readonly role: KubernetesRole;
  readonly apiServer?: string;
  /** Resolved against the config file's directory. */
  readonly kubeconfigFile?: string;
  readonly namespaces: { readonly ownNamespace: boolean; readonly names: readonly string[] };
  readonly selectors: readonly {
    readonly role: KubernetesRole;
    readonly label?: string;
    readonly field?: string;
  }[];
  readonly attachMetadata: {
    readonly node: boolean;
    readonly namespace: boolean;
    /** Prometheus 3.11+: pod owner metadata (accepted; the discoverer may ignore them). */
    readonly deployment?: boolean;
    readonly job?: boolean;
    readonly cronjob?: boolean;
  };
  readonly httpClient: HttpClientConfig;
}

/** Prometheus's `<http_config>`, shared by scrape jobs, http_sd, kubernetes_sd and remote_write. */
export interface HttpClientConfig {
  readonly basicAuth?: {
    readonly username?: string;
    readonly usernameFile?: string;
    readonly password?: SecretSource;
  };
  /** Also where legacy `bearer_token` / `bearer_token_file` end up (type `Bearer`). */
  readonly authorization?: { readonly type: string; readonly credentials?: SecretSource };
  readonly oauth2?: OAuth2Config;
  readonly tlsConfig: TlsConfig;
  readonly proxyUrl?: string;
  readonly noProxy?: string;
  readonly proxyFromEnvironment: boolean;
  readonly proxyConnectHeader: Readonly<Record<string, readonly Secret[]>>;
  readonly httpHeaders: Readonly<
    Record<
      string,
      {
        readonly values: readonly string[];
        readonly secrets: readonly Secret[];
        readonly files: readonly string[];
      }
    >
  >;
  readonly followRedirects: boolean;
  readonly enableHttp2: boolean;
}

export interface OAuth2Config {
  readonly clientId: string;
  readonly clientSecret?: SecretSource;
  readonly scopes: readonly string[];
  readonly tokenUrl: string;
  readonly endpointParams: Readonly<Record<string, string>>;
  readonly tlsConfig: TlsConfig;
  readonly proxyUrl?: string;
}

export interface TlsConfig {
  /** PEM text given inline (`ca`) or read from `caFile` when used. */
  readonly ca?: string;
  readonly caFile?: string;
  readonly cert?: string;
  readonly certFile?: string;
  readonly key?: Secret;
  readonly keyFile?: string;
  readonly serverName?: string;
  readonly insecureSkipVerify: boolean;
  readonly minVersion?: 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';
  readonly maxVersion?: 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';
}

export interface RemoteWriteConfig {
  readonly url: string;
  /** Unique when set; Prometheus derives a hash-based name otherwise. */
  readonly name?: string;
  readonly remoteTimeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly writeRelabelConfigs: readonly RelabelConfig[];
  readonly sendExemplars: boolean;
  readonly sendNativeHistograms: boolean;
  readonly roundRobinDns: boolean;
  readonly protobufMessage: 'prometheus.WriteRequest' | 'io.prometheus.write.v2.Request';
  readonly httpClient: HttpClientConfig;
  readonly queueConfig: QueueConfig;
  readonly metadataConfig: MetadataConfig;
}

export interface QueueConfig {
  readonly capacity: number;
  readonly maxShards: number;
  readonly minShards: number;
  readonly maxSamplesPerSend: number;
  readonly batchSendDeadlineMs: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly retryOnHttp429: boolean;
  /** 0 disables the age limit. */
  readonly sampleAgeLimitMs: number;
}

export interface MetadataConfig {
  readonly send: boolean;
  readonly sendIntervalMs: number;
  readonly maxSamplesPerSend: number;
}
