import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig } from './load-config.js';
import { Secret } from './secret.js';
import { DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS, DEFAULT_SCRAPE_PROTOCOLS } from './scrape-config.js';

function load(text: string, env: Record<string, string> = {}) {
  return loadConfig(text, { filename: 'prometheus.yml', baseDir: '/etc/prometheus', env });
}

function errorOf(text: string): ConfigError {
  try {
    load(text);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('loadConfig defaults', () => {
  it('gives an empty file the global defaults', () => {
    const c = load('');
    expect(c.global).toMatchObject({
      scrapeIntervalMs: 60_000,
      scrapeTimeoutMs: 10_000,
      evaluationIntervalMs: 60_000,
      externalLabels: {},
      bodySizeLimitBytes: 0,
      sampleLimit: 0,
      metricNameValidationScheme: 'utf8',
      metricNameEscapingScheme: 'allow-utf-8',
      scrapeNativeHistograms: false,
    });
    expect(c.global.scrapeProtocols).toBeUndefined();
    expect(c.scrapeConfigs).toEqual([]);
    expect(c.remoteWrite).toEqual([]);
    expect(c.warnings).toEqual([]);
    expect(c.sourceFile).toBe('prometheus.yml');
  });

  it('restores defaults for an open but empty global block', () => {
    expect(load('global:\n').global.scrapeIntervalMs).toBe(60_000);
    expect(load('global: {}\n').global.scrapeTimeoutMs).toBe(10_000);
  });

  it('fills every scrape_config default', () => {
    const [job] = load('scrape_configs: [{job_name: a}]').scrapeConfigs;
    expect(job).toMatchObject({
      jobName: 'a',
      scrapeIntervalMs: 60_000,
      scrapeTimeoutMs: 10_000,
      scrapeProtocols: DEFAULT_SCRAPE_PROTOCOLS,
      metricsPath: '/metrics',
      scheme: 'http',
      params: {},
      honorLabels: false,
      honorTimestamps: true,
      trackTimestampsStaleness: false,
      enableCompression: true,
      bodySizeLimitBytes: 0,
      sampleLimit: 0,
      keepDroppedTargets: 0,
      nativeHistogramBucketLimit: 0,
      metricNameValidationScheme: 'utf8',
      metricNameEscapingScheme: 'allow-utf-8',
      relabelConfigs: [],
      metricRelabelConfigs: [],
      serviceDiscovery: { staticConfigs: [], fileSdConfigs: [], httpSdConfigs: [], kubernetesSdConfigs: [] },
    });
    expect(job!.httpClient).toMatchObject({
      followRedirects: true,
      enableHttp2: true,
      proxyFromEnvironment: false,
    });
    expect(job!.httpClient.tlsConfig).toEqual({ insecureSkipVerify: false });
  });

  it('returns frozen objects', () => {
    const c = load('scrape_configs: [{job_name: a}]');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.scrapeConfigs[0]!.httpClient.tlsConfig)).toBe(true);
  });
});

describe('inheritance from global', () => {
  it('caps the default timeout at the job interval', () => {
    const c = load(
      'global: {scrape_interval: 15s}\nscrape_configs: [{job_name: a, scrape_interval: 5s}, {job_name: b}]',
    );
    expect(c.scrapeConfigs[0]).toMatchObject({ scrapeIntervalMs: 5_000, scrapeTimeoutMs: 5_000 });
    expect(c.scrapeConfigs[1]).toMatchObject({ scrapeIntervalMs: 15_000, scrapeTimeoutMs: 10_000 });
  });

  it('caps the global default timeout at the global interval', () => {
    expect(load('global: {scrape_interval: 5s}').global.scrapeTimeoutMs).toBe(5_000);
  });

  it('inherits limits when the job leaves them at 0', () => {
    const c = load(
      'global: {sample_limit: 100, body_size_limit: 1MB, keep_dropped_targets: 5, label_limit: 9}\n' +
        'scrape_configs: [{job_name: a, sample_limit: 0}, {job_name: b, sample_limit: 7, body_size_limit: 1KB}]',
    );
    expect(c.scrapeConfigs[0]).toMatchObject({
      sampleLimit: 100,
      bodySizeLimitBytes: 2 ** 20,
      keepDroppedTargets: 5,
      labelLimit: 9,
    });
    expect(c.scrapeConfigs[1]).toMatchObject({ sampleLimit: 7, bodySizeLimitBytes: 1024 });
  });

  it('picks scrape protocols from the job, then global, then the native-histogram default', () => {
    const c = load(
      'global: {scrape_protocols: [PrometheusText0.0.4]}\n' +
        'scrape_configs: [{job_name: a}, {job_name: b, scrape_protocols: [PrometheusProto]}]',
    );
    expect(c.scrapeConfigs[0]!.scrapeProtocols).toEqual(['PrometheusText0.0.4']);
    expect(c.scrapeConfigs[1]!.scrapeProtocols).toEqual(['PrometheusProto']);
    const nh = load('scrape_configs: [{job_name: a, scrape_native_histograms: true}]');
    expect(nh.scrapeConfigs[0]!.scrapeProtocols).toEqual(DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS);
    const globalNh = load('global: {scrape_native_histograms: true}\nscrape_configs: [{job_name: a}]');
    expect(globalNh.scrapeConfigs[0]!.scrapeProtocols).toEqual(DEFAULT_PROTO_FIRST_SCRAPE_PROTOCOLS);
  });

  it('derives escaping from the validation scheme', () => {
    const c = load(
      'global: {metric_name_validation_scheme: legacy}\n' +
        'scrape_configs: [{job_name: a}, {job_name: b, metric_name_validation_scheme: utf8}]',
    );
    expect(c.global.metricNameEscapingScheme).toBe('underscores');
    expect(c.scrapeConfigs[0]).toMatchObject({
      metricNameValidationScheme: 'legacy',
      metricNameEscapingScheme: 'underscores',
    });
    expect(c.scrapeConfigs[1]).toMatchObject({
      metricNameValidationScheme: 'utf8',
      metricNameEscapingScheme: 'allow-utf-8',
    });
    // A job that asks for legacy names gets underscores, not the global allow-utf-8.
    const legacyJob = load('scrape_configs: [{job_name: a, metric_name_validation_scheme: legacy}]');
    expect(legacyJob.scrapeConfigs[0]!.metricNameEscapingScheme).toBe('underscores');
    expect(
      errorOf(
        'scrape_configs: [{job_name: a, metric_name_validation_scheme: legacy, metric_name_escaping_scheme: allow-utf-8}]',
      ).message,
    ).toContain('utf8 metric names requested but validation scheme is not set to UTF8');
  });

  it('inherits histogram and extra-metrics switches', () => {
    const c = load(
      'global: {always_scrape_classic_histograms: true, convert_classic_histograms_to_nhcb: true, extra_scrape_metrics: true}\n' +
        'scrape_configs: [{job_name: a}, {job_name: b, always_scrape_classic_histograms: false}]',
    );
    expect(c.scrapeConfigs[0]).toMatchObject({
      alwaysScrapeClassicHistograms: true,
      convertClassicHistogramsToNhcb: true,
      extraScrapeMetrics: true,
    });
    expect(c.scrapeConfigs[1]!.alwaysScrapeClassicHistograms).toBe(false);
  });
});

describe('field parsing', () => {
  it('expands environment variables in external labels', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the YAML text itself contains `${REGION}`.
    const text = 'global:\n  external_labels: {a: "${REGION}", b: "$REGION-x", c: "$$1", d: "$MISSING"}\n';
    const c = load(text, {
      REGION: 'eu',
    });
    expect(c.global.externalLabels).toEqual({ a: 'eu', b: 'eu-x', c: '$1', d: '' });
    expect(c.warnings?.some((w) => w.includes('MISSING'))).toBe(true);
  });

  it('reads relabel rules with defaults and a case-insensitive action', () => {
    const [job] = load(
      'scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {source_labels: [a, b], target_label: c, action: RePlAcE}\n      - {action: labeldrop, regex: ""}\n',
    ).scrapeConfigs;
    expect(job!.relabelConfigs[0]).toEqual({
      sourceLabels: ['a', 'b'],
      separator: ';',
      regex: '(.*)',
      modulus: 0,
      targetLabel: 'c',
      replacement: '$1',
      action: 'replace',
    });
    expect(job!.relabelConfigs[1]!.regex).toBe('');
  });

  it('turns legacy bearer_token into authorization and secrets into Secret', () => {
    const c = load(
      'scrape_configs:\n  - {job_name: a, bearer_token: tok}\n  - {job_name: b, bearer_token_file: tok.txt}\n  - {job_name: c, basic_auth: {username: u, password_file: /pw}}\n',
    );
    const [a, b, cc] = c.scrapeConfigs;
    expect(a!.httpClient.authorization!.type).toBe('Bearer');
    const cred = a!.httpClient.authorization!.credentials!;
    expect('inline' in cred && cred.inline).toBeInstanceOf(Secret);
    expect('inline' in cred && cred.inline.reveal()).toBe('tok');
    expect(b!.httpClient.authorization!.credentials).toEqual({ file: '/etc/prometheus/tok.txt' });
    expect(cc!.httpClient.basicAuth).toEqual({ username: 'u', password: { file: '/pw' } });
    expect(inspect(a)).not.toContain('tok');
    expect(JSON.stringify(c)).not.toContain('"tok"');
  });

  it('resolves relative file paths against the config directory', () => {
    const [job] = load(
      'scrape_configs:\n  - job_name: a\n    tls_config: {ca_file: ca.pem}\n    file_sd_configs: [{files: [sd/*.json]}]\n    kubernetes_sd_configs: [{role: pod, kubeconfig_file: kube/config}]\n',
    ).scrapeConfigs;
    expect(job!.httpClient.tlsConfig.caFile).toBe('/etc/prometheus/ca.pem');
    expect(job!.serviceDiscovery.fileSdConfigs[0]).toEqual({
      files: ['/etc/prometheus/sd/*.json'],
      refreshIntervalMs: 300_000,
    });
    expect(job!.serviceDiscovery.kubernetesSdConfigs[0]!.kubeconfigFile).toBe('/etc/prometheus/kube/config');
  });

  it('applies remote_write defaults, with HTTP/2 off', () => {
    const [rw] = load('remote_write: [{url: "http://x/push"}]').remoteWrite;
    expect(rw).toMatchObject({
      url: 'http://x/push',
      remoteTimeoutMs: 30_000,
      sendExemplars: false,
      protobufMessage: 'prometheus.WriteRequest',
      queueConfig: {
        capacity: 10000,
        maxShards: 50,
        minShards: 1,
        maxSamplesPerSend: 2000,
        batchSendDeadlineMs: 5000,
      },
      metadataConfig: { send: true, sendIntervalMs: 60_000, maxSamplesPerSend: 2000 },
    });
    expect(rw!.httpClient.enableHttp2).toBe(false);
  });

  it('lists ignored sections and warns about unsupported discovery', () => {
    const c = load(
      'rule_files: [a.yml]\nalerting: {alertmanagers: []}\nstorage: {tsdb: {}}\nscrape_configs:\n  - job_name: a\n    consul_sd_configs: [{server: "c:8500"}]\n',
    );
    expect(c.ignoredSections).toEqual(['rule_files', 'alerting', 'storage']);
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings![0]).toContain('consul_sd_configs');
  });

  it('accepts Kubernetes selector syntax and rejects malformed selectors', () => {
    const ok = load(
      'scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs:\n      - role: endpoints\n        selectors:\n          - {role: pod, label: "app in (a, b),!legacy,tier!=db,example.com/team=x", field: "spec.nodeName=n1,status.phase!=Failed"}\n',
    );
    expect(ok.scrapeConfigs[0]!.serviceDiscovery.kubernetesSdConfigs[0]!.selectors).toEqual([
      {
        role: 'pod',
        label: 'app in (a, b),!legacy,tier!=db,example.com/team=x',
        field: 'spec.nodeName=n1,status.phase!=Failed',
      },
    ]);
    const field = errorOf(
      'scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pod, selectors: [{role: pod, field: metadata.name}]}]\n',
    );
    expect(field.reason).toContain("invalid selector: 'metadata.name'");
    expect(field.path).toBe('scrape_configs[0].kubernetes_sd_configs[0].selectors[0].field');
    const label = errorOf(
      'scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pod, selectors: [{role: pod, label: "app in"}]}]\n',
    );
    expect(label.path).toBe('scrape_configs[0].kubernetes_sd_configs[0].selectors[0].label');
  });

  it('reads YAML 1.1 booleans as yaml.v2 does', () => {
    const [job] = load('scrape_configs: [{job_name: a, honor_labels: yes}]').scrapeConfigs;
    expect(job!.honorLabels).toBe(true);
  });

  it('keeps numeric-looking strings as written', () => {
    const [job] = load('scrape_configs: [{job_name: 1.10, params: {v: [1.10]}}]').scrapeConfigs;
    expect(job!.jobName).toBe('1.10');
    expect(job!.params).toEqual({ v: ['1.10'] });
  });
});

describe('errors', () => {
  it('names file, line, column and path', () => {
    const e = errorOf('scrape_configs:\n  - job_name: a\n    scrape_interval: 1x\n');
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.code).toBe('SW_ERR_CONFIG');
    expect(e.file).toBe('prometheus.yml');
    expect(e.line).toBe(3);
    expect(e.column).toBe(22);
    expect(e.path).toBe('scrape_configs[0].scrape_interval');
    expect(e.message).toBe(
      'prometheus.yml:3:22: scrape_configs[0].scrape_interval: not a valid duration string: "1x"',
    );
  });

  it('points at the key of an unknown field, with a hint', () => {
    const e = errorOf('global:\n  scrape_intervl: 1m\n');
    expect([e.line, e.column]).toEqual([2, 3]);
    expect(e.reason).toBe('field scrape_intervl not found in type global (did you mean scrape_interval?)');
    expect(errorOf('global:\n  frobnicate: 1\n').reason).toBe('field frobnicate not found in type global');
  });

  it.each([
    [
      'proxy_from_environment with proxy_url',
      'scrape_configs: [{job_name: a, proxy_from_environment: true, proxy_url: "http://p"}]',
      'proxy_url must not be configured',
    ],
    [
      'no_proxy without proxy_url',
      'scrape_configs: [{job_name: a, no_proxy: localhost}]',
      'proxy_url must also be configured',
    ],
    [
      'reserved http_headers',
      'scrape_configs: [{job_name: a, http_headers: {user-agent: {values: [x]}}}]',
      'setting header "User-Agent" is not allowed',
    ],
    [
      'credentials and credentials_file',
      'scrape_configs: [{job_name: a, authorization: {credentials: a, credentials_file: b}}]',
      'at most one of authorization credentials & credentials_file',
    ],
    [
      'ca and ca_file',
      'scrape_configs: [{job_name: a, tls_config: {ca: x, ca_file: y}}]',
      'at most one of ca, ca_file',
    ],
    [
      'bad fallback protocol',
      'scrape_configs: [{job_name: a, fallback_scrape_protocol: text}]',
      'invalid fallback_scrape_protocol',
    ],
    [
      'unknown validation scheme',
      'scrape_configs: [{job_name: a, metric_name_validation_scheme: ascii}]',
      'unknown scrape config name validation method',
    ],
    [
      'unknown escaping scheme',
      'global: {metric_name_escaping_scheme: dashes}',
      'unknown global name escaping method',
    ],
    [
      'http_sd without url',
      'scrape_configs: [{job_name: a, http_sd_configs: [{refresh_interval: 1m}]}]',
      'URL is missing',
    ],
    [
      'empty file_sd',
      'scrape_configs: [{job_name: a, file_sd_configs: [{files: []}]}]',
      'must contain at least one path name',
    ],
    [
      'null static config',
      'scrape_configs: [{job_name: a, static_configs: [null]}]',
      'empty or null section in static_configs',
    ],
    [
      'kubeconfig with http config',
      'scrape_configs: [{job_name: a, kubernetes_sd_configs: [{role: pod, kubeconfig_file: k, enable_http2: false}]}]',
      "custom HTTP client configuration together with 'kubeconfig_file'",
    ],
    [
      'pod selector on node role',
      'scrape_configs: [{job_name: a, kubernetes_sd_configs: [{role: node, selectors: [{role: pod}]}]}]',
      'node role supports only node selectors',
    ],
    [
      'two auth methods in remote_write',
      'remote_write: [{url: "http://x", basic_auth: {username: u}, sigv4: {region: eu}}]',
      'Currently configured: [basic_auth sigv4]',
    ],
    ['null remote_write', 'remote_write: [null]', 'empty or null remote write config section'],
    [
      'bad protobuf_message',
      'remote_write: [{url: "http://x", protobuf_message: v3}]',
      'invalid protobuf_message value',
    ],
    [
      'queue capacity 0',
      'remote_write: [{url: "http://x", queue_config: {capacity: 0}}]',
      'capacity must be positive',
    ],
    [
      'backoff order',
      'remote_write: [{url: "http://x", queue_config: {min_backoff: 1s, max_backoff: 10ms}}]',
      'max_backoff must not be less than min_backoff',
    ],
    [
      'null write relabel',
      'remote_write: [{url: "http://x", write_relabel_configs: [null]}]',
      'empty or null relabeling rule in remote write config',
    ],
    [
      'empty source label',
      'scrape_configs: [{job_name: a, relabel_configs: [{source_labels: [""], target_label: b}]}]',
      '"" is not a valid label name',
    ],
    ['remote_read without url', 'remote_read: [{name: a}]', 'url for remote_read is empty'],
    ['null remote_read', 'remote_read: [~]', 'empty or null remote read config section'],
    ['alerting not a map', 'alerting: [a]', 'cannot unmarshal !!seq into alerting'],
    [
      'unknown OTLP translation strategy',
      'otlp: {translation_strategy: Dots}',
      'unsupported OTLP translation strategy "Dots"',
    ],
    [
      'UTF-8 OTLP strategy with legacy names',
      'global: {metric_name_validation_scheme: legacy}\notlp: {translation_strategy: NoTranslation}',
      'is not allowed when UTF8 is disabled',
    ],
    ['scrape_config_files glob', 'scrape_config_files: ["a/*/b.yml"]', 'invalid scrape config file path'],
    [
      'invalid external label name',
      'global: {metric_name_validation_scheme: legacy, external_labels: {"a-b": x}}',
      '"a-b" is not a valid label name',
    ],
  ])('%s', (_name, text, fragment) => {
    expect(errorOf(text).message).toContain(fragment);
  });
});
