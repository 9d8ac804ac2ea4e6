import { HTTP_CLIENT_KEYS, readHttpClient } from './http-client.js';
import { readKubernetesSdConfig } from './kubernetes-sd.js';
import type { LoadContext } from './load-context.js';
import { resolvePath } from './load-context.js';
import { readRelabelConfigs } from './relabel-rules.js';
import type {
  FileSDConfig,
  GlobalConfig,
  HttpSDConfig,
  KubernetesSDConfig,
  ScrapeConfig,
  ScrapeProtocol,
  StaticConfig,
} from './types.js';
import { parseDuration, parseSize } from './units.js';
import type { Field } from './yaml-field.js';

/** Every protocol name `scrape_protocols` accepts, sorted as Prometheus prints them in errors. */
export const SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = [
  'OpenMetricsText0.0.1',
  'OpenMetricsText1.0.0',
  'PrometheusProto',
  'PrometheusText0.0.4',
  'PrometheusText1.0.0',
];

/** The protocols a job negotiates when neither it nor `global` lists any. */
export const DEFAULT_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = Object.freeze([
  'OpenMetricsText1.0.0',
  'OpenMetricsText0.0.1',
  'PrometheusText1.0.0',
  'PrometheusText0.0.4',
] as const);

/** The default when the job scrapes native histograms: protobuf first. */
export const DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS: readonly ScrapeProtocol[] = Object.freeze([
  'PrometheusProto',
  ...DEFAULT_SCRAPE_PROTOCOLS,
]);

/** Service discovery mechanisms Prometheus 3 knows and scrapewire does not run (accepted, warned about). */
const UNSUPPORTED_SD = [
  'aws',
  'azure',
  'consul',
  'digitalocean',
  'dns',
  'docker',
  'dockerswarm',
  'ec2',
  'ecs',
  'elasticache',
  'eureka',
  'gce',
  'hetzner',
  'ionos',
  'kuma',
  'lightsail',
  'linode',
  'marathon',
  'msk',
  'nerve',
  'nomad',
  'oci',
  'openstack',
  'ovhcloud',
  'puppetdb',
  'rds',
  'scaleway',
  'serverset',
  'stackit',
  'triton',
  'uyuni',
  'vultr',
].map((n) => `${n}_sd_configs`);

const SCRAPE_KEYS = [
  'job_name',
  'honor_labels',
  'honor_timestamps',
  'track_timestamps_staleness',
  'params',
  'scrape_interval',
  'scrape_timeout',
  'scrape_protocols',
  'fallback_scrape_protocol',
  'scrape_native_histograms',
  'always_scrape_classic_histograms',
  'convert_classic_histograms_to_nhcb',
  'scrape_failure_log_file',
  'metrics_path',
  'scheme',
  'enable_compression',
  'body_size_limit',
  'sample_limit',
  'target_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'native_histogram_bucket_limit',
  'native_histogram_min_bucket_factor',
  'keep_dropped_targets',
  'metric_name_validation_scheme',
  'metric_name_escaping_scheme',
  'extra_scrape_metrics',
  'relabel_configs',
  'metric_relabel_configs',
  'static_configs',
  'file_sd_configs',
  'http_sd_configs',
  'kubernetes_sd_configs',
  ...UNSUPPORTED_SD,
  ...HTTP_CLIENT_KEYS,
];

const ESCAPING_SCHEMES = ['allow-utf-8', 'underscores', 'dots', 'values'] as const;
type EscapingScheme = (typeof ESCAPING_SCHEMES)[number];

/** Reads a `<duration>` value; absent or null gives `dflt`. */
export function readDuration(field: Field | undefined, dflt: number): number {
  if (!field || field.isNull) return dflt;
  try {
    return parseDuration(field.str());
  } catch (err) {
    return field.fail((err as Error).message);
  }
}

/** Reads a `<size>` value; absent or null gives 0. */
export function readSize(field: Field | undefined): number {
  if (!field || field.isNull) return 0;
  try {
    return parseSize(field.str());
  } catch (err) {
    return field.fail((err as Error).message);
  }
}

/**
 * Reads a `scrape_protocols` list, or `undefined` when absent or null. An explicit empty list is kept so
 * that validation can reject it, as Prometheus does.
 */
export function readScrapeProtocols(field: Field | undefined): { list: string[]; at: Field } | undefined {
  if (!field || field.isNull) return undefined;
  return { list: field.strList(), at: field };
}

/** Prometheus's `validateAcceptScrapeProtocols`; `suffix` says for which section. */
export function validateScrapeProtocols(p: { list: string[]; at: Field }, suffix: string): ScrapeProtocol[] {
  if (p.list.length === 0) p.at.fail(`scrape_protocols cannot be empty${suffix}`);
  const seen = new Set<string>();
  for (const sp of p.list) {
    if (seen.has(sp.toLowerCase())) {
      p.at.fail(`duplicated protocol in scrape_protocols, got [${p.list.join(' ')}]${suffix}`);
    }
    if (!(SCRAPE_PROTOCOLS as readonly string[]).includes(sp)) {
      p.at.fail(`scrape_protocols: ${unknownProtocol(sp)}${suffix}`);
    }
    seen.add(sp.toLowerCase());
  }
  return p.list as ScrapeProtocol[];
}

function unknownProtocol(sp: string): string {
  return `unknown scrape protocol ${sp}, supported: [${SCRAPE_PROTOCOLS.join(' ')}]`;
}

/** Whether a label name is valid under a validation scheme. */
export function isValidLabelName(name: string, scheme: 'utf8' | 'legacy'): boolean {
  if (scheme === 'legacy') return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
  // Any non-empty string; JS strings from YAML text are valid UTF-16 except for lone surrogates.
  return name.length > 0 && !/[\uD800-\uDFFF]/.test(name.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
}

/** The pieces of `global` that scrape jobs inherit, plus its escaping scheme. */
export interface ResolvedGlobal extends GlobalConfig {
  readonly metricNameEscapingScheme: EscapingScheme;
}

/** Reads one `scrape_configs` entry, inheriting from `global` exactly as Prometheus's `Validate` does. */
export function readScrapeConfig(ctx: LoadContext, entry: Field, global: ResolvedGlobal): ScrapeConfig {
  if (entry.isNull) entry.fail('empty or null scrape config section');
  const f = entry.struct('scrape_config', SCRAPE_KEYS);
  const jobName = f.get('job_name')?.str() ?? '';
  if (!jobName) (f.get('job_name') ?? entry).fail('job_name is empty');
  const jobSuffix = ` for scrape config with job name ${JSON.stringify(jobName)}`;

  const http = readHttpClient(ctx, f, entry);
  const sd = readServiceDiscovery(ctx, f, jobName);

  const relabelField = f.get('relabel_configs');
  const hasRelabel = relabelField !== undefined && relabelField.list().length > 0;
  if (!hasRelabel) {
    // Users often paste URLs into static targets; without relabeling that can never work.
    for (const sc of sd.staticConfigs) {
      for (const [j, t] of sc.config.targets.entries()) {
        if (t.includes('/')) sc.at[j]!.fail(`${JSON.stringify(t)} is not a valid hostname`);
      }
    }
  }

  const intervalMs = readDuration(f.get('scrape_interval'), 0) || global.scrapeIntervalMs;
  let timeoutMs = readDuration(f.get('scrape_timeout'), 0);
  if (timeoutMs > intervalMs) {
    (f.get('scrape_timeout') ?? entry).fail(`scrape timeout greater than scrape interval${jobSuffix}`);
  }
  if (timeoutMs === 0) timeoutMs = Math.min(global.scrapeTimeoutMs, intervalMs);

  const limit = (k: string, g: number) => {
    const v = f.get(k)?.uint() ?? 0;
    return v === 0 ? g : v;
  };
  const optBool = (k: string) => {
    const v = f.get(k);
    return v && !v.isNull ? v.bool() : undefined;
  };
  const scrapeNativeHistograms = optBool('scrape_native_histograms') ?? global.scrapeNativeHistograms;

  const own = readScrapeProtocols(f.get('scrape_protocols'));
  let scrapeProtocols: readonly ScrapeProtocol[];
  if (own) scrapeProtocols = validateScrapeProtocols(own, jobSuffix);
  else if (global.scrapeProtocols) scrapeProtocols = global.scrapeProtocols;
  else
    scrapeProtocols = scrapeNativeHistograms
      ? DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS
      : DEFAULT_SCRAPE_PROTOCOLS;

  const fallbackField = f.get('fallback_scrape_protocol');
  const fallback = fallbackField?.str() ?? '';
  if (fallback && !(SCRAPE_PROTOCOLS as readonly string[]).includes(fallback)) {
    fallbackField!.fail(
      `invalid fallback_scrape_protocol for scrape config with job name ${JSON.stringify(jobName)}: ${unknownProtocol(fallback)}`,
    );
  }

  // Name validation and escaping: a job inherits the global scheme unless it sets its own, and a job
  // that only asks for legacy validation gets underscore escaping rather than the global allow-utf-8.
  const vField = f.get('metric_name_validation_scheme');
  const vText = vField?.str() ?? '';
  if (vText !== '' && vText !== 'utf8' && vText !== 'legacy') {
    vField!.fail(
      `unknown scrape config name validation method specified, must be either '', 'legacy' or 'utf8', got ${vText}`,
    );
  }
  const validation = (vText || global.metricNameValidationScheme) as 'utf8' | 'legacy';
  const eField = f.get('metric_name_escaping_scheme');
  let escaping = eField?.str() ?? '';
  if (escaping === '') {
    if (vText === '') escaping = global.metricNameEscapingScheme;
    else escaping = validation === 'legacy' ? 'underscores' : 'allow-utf-8';
  }
  if (!(ESCAPING_SCHEMES as readonly string[]).includes(escaping)) {
    eField!.fail(
      `unknown scrape config name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got ${JSON.stringify(escaping)}`,
    );
  }
  if (escaping === 'allow-utf-8' && validation !== 'utf8') {
    (eField ?? vField ?? entry).fail('utf8 metric names requested but validation scheme is not set to UTF8');
  }

  const relabelConfigs = readRelabelConfigs(
    relabelField,
    'empty or null target relabeling rule in scrape config',
    validation,
  );
  const metricRelabelConfigs = readRelabelConfigs(
    f.get('metric_relabel_configs'),
    'empty or null metric relabeling rule in scrape config',
    validation,
  );

  const scheme = f.get('scheme')?.str() || 'http';
  if (scheme !== 'http' && scheme !== 'https') {
    f.get('scheme')!.fail(
      `unsupported scheme ${JSON.stringify(scheme)}: scrapewire scrapes over http or https`,
    );
  }
  const params: Record<string, string[]> = {};
  for (const [k, v] of f.get('params')?.entries('into url.Values') ?? []) params[k] = v.strList();
  const failureLog = f.get('scrape_failure_log_file')?.str() ?? '';

  return {
    jobName,
    scrapeIntervalMs: intervalMs,
    scrapeTimeoutMs: timeoutMs,
    scrapeProtocols,
    ...(fallback ? { fallbackScrapeProtocol: fallback as ScrapeProtocol } : {}),
    scrapeNativeHistograms,
    alwaysScrapeClassicHistograms:
      optBool('always_scrape_classic_histograms') ?? global.alwaysScrapeClassicHistograms,
    convertClassicHistogramsToNhcb:
      optBool('convert_classic_histograms_to_nhcb') ?? global.convertClassicHistogramsToNhcb,
    metricsPath: f.get('metrics_path')?.str() || '/metrics',
    scheme: scheme as 'http' | 'https',
    params,
    honorLabels: f.get('honor_labels')?.bool() ?? false,
    honorTimestamps: optBool('honor_timestamps') ?? true,
    trackTimestampsStaleness: f.get('track_timestamps_staleness')?.bool() ?? false,
    enableCompression: optBool('enable_compression') ?? true,
    bodySizeLimitBytes: readSize(f.get('body_size_limit')) || global.bodySizeLimitBytes,
    sampleLimit: limit('sample_limit', global.sampleLimit),
    labelLimit: limit('label_limit', global.labelLimit),
    labelNameLengthLimit: limit('label_name_length_limit', global.labelNameLengthLimit),
    labelValueLengthLimit: limit('label_value_length_limit', global.labelValueLengthLimit),
    targetLimit: limit('target_limit', global.targetLimit),
    keepDroppedTargets: limit('keep_dropped_targets', global.keepDroppedTargets),
    nativeHistogramBucketLimit: f.get('native_histogram_bucket_limit')?.uint() ?? 0,
    nativeHistogramMinBucketFactor: f.get('native_histogram_min_bucket_factor')?.float() ?? 0,
    metricNameValidationScheme: validation,
    metricNameEscapingScheme: escaping as EscapingScheme,
    extraScrapeMetrics: optBool('extra_scrape_metrics') ?? global.extraScrapeMetrics,
    ...(failureLog
      ? { scrapeFailureLogFile: resolvePath(ctx, failureLog) }
      : global.scrapeFailureLogFile
        ? { scrapeFailureLogFile: global.scrapeFailureLogFile }
        : {}),
    httpClient: http.config,
    relabelConfigs,
    metricRelabelConfigs,
    serviceDiscovery: {
      staticConfigs: sd.staticConfigs.map((s) => s.config),
      fileSdConfigs: sd.fileSdConfigs,
      httpSdConfigs: sd.httpSdConfigs,
      kubernetesSdConfigs: sd.kubernetesSdConfigs,
    },
  };
}

function sdEntries(f: ReadonlyMap<string, Field>, key: string): Field[] {
  const entries = f.get(key)?.list() ?? [];
  for (const e of entries) {
    // A null entry, or an all-empty static group, is rejected as Prometheus's registry does.
    if (e.isNull) e.fail(`empty or null section in ${key}`);
  }
  return entries;
}

function readServiceDiscovery(ctx: LoadContext, f: ReadonlyMap<string, Field>, jobName: string) {
  const staticConfigs: { config: StaticConfig; at: Field[] }[] = [];
  for (const e of sdEntries(f, 'static_configs')) {
    const g = e.struct('static_config', ['targets', 'labels']);
    const targetsField = g.get('targets');
    const targetFields = targetsField && !targetsField.isNull ? targetsField.list() : [];
    const targets = targetFields.map((t) => t.str());
    const labels: Record<string, string> = {};
    for (const [name, v] of g.get('labels')?.entries('into model.LabelSet') ?? []) {
      if (!isValidLabelName(name, 'utf8')) v.fail(`${JSON.stringify(name)} is not a valid label name`);
      labels[name] = v.str();
    }
    // Kept next to the values so that the static-target check can point at the offending target.
    staticConfigs.push({ config: { targets, labels }, at: targetFields });
  }

  const fileSdConfigs: FileSDConfig[] = sdEntries(f, 'file_sd_configs').map((e) => {
    const g = e.struct('file_sd_config', ['files', 'refresh_interval']);
    const files = g.get('files')?.strList() ?? [];
    if (files.length === 0) e.fail('file service discovery config must contain at least one path name');
    for (const [i, name] of files.entries()) {
      if (!/^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/.test(name)) {
        (g.get('files')!.list()[i] ?? e).fail(
          `path name ${JSON.stringify(name)} is not valid for file discovery`,
        );
      }
    }
    return {
      files: files.map((p) => resolvePath(ctx, p)),
      refreshIntervalMs: readDuration(g.get('refresh_interval'), 300_000),
    };
  });

  const httpSdConfigs: HttpSDConfig[] = sdEntries(f, 'http_sd_configs').map((e) => {
    const g = e.struct('http_sd_config', ['url', 'refresh_interval', ...HTTP_CLIENT_KEYS]);
    const url = g.get('url')?.str() ?? '';
    const at = g.get('url') ?? e;
    if (!url) at.fail('URL is missing');
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // Go's url.Parse accepts relative references; those then fail the scheme check below.
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      at.fail("URL scheme must be 'http' or 'https'");
    }
    if (!parsed?.host) at.fail('host is missing in URL');
    return {
      url,
      refreshIntervalMs: readDuration(g.get('refresh_interval'), 60_000),
      httpClient: readHttpClient(ctx, g, e).config,
    };
  });

  const kubernetesSdConfigs: KubernetesSDConfig[] = sdEntries(f, 'kubernetes_sd_configs').map((e) =>
    readKubernetesSdConfig(ctx, e),
  );

  for (const key of UNSUPPORTED_SD) {
    const v = f.get(key);
    if (v && !v.isNull) {
      sdEntries(f, key);
      ctx.warnings.push(
        `${v.path}: ${key} is not supported by scrapewire; job ${JSON.stringify(jobName)} will not discover these targets`,
      );
    }
  }
  return { staticConfigs, fileSdConfigs, httpSdConfigs, kubernetesSdConfigs };
}
