/**
 * The config corpus in `fixtures/`: every bad file with the error it must produce, and how Debian's
 * `promtool check config` (Prometheus 2.42) judges each file where its verdict differs from ours.
 */

/** Why promtool 2.42's verdict differs from ours for a fixture. */
export type PromtoolDifference =
  /** The file uses fields that only Prometheus 3.x has; 2.42 rejects them as unknown fields. */
  | 'v3-only-fields'
  /** Debian builds Prometheus without kubernetes_sd, so its promtool rejects `kubernetes_sd_configs`. */
  | 'debian-without-kubernetes-sd'
  /** A validation rule added after 2.42 (e.g. queue_config sanity checks in 3.12). */
  | 'v3-only-rule';

export interface BadFixture {
  readonly file: string;
  /** A fragment of the message. */
  readonly error: string;
  /**
   * 1-based line the error must point at; `undefined` for problems found after loading (promtool's
   * target checks), which name the file but no position.
   */
  readonly line: number | undefined;
  /** The field path the error must name (a prefix is enough). */
  readonly path?: string;
  readonly promtool?: PromtoolDifference;
}

export interface GoodFixture {
  readonly file: string;
  readonly promtool?: PromtoolDifference;
}

export const GOOD_FIXTURES: readonly GoodFixture[] = [
  { file: 'minimal.good.yml' },
  { file: 'empty.good.yml' },
  { file: 'anchors.good.yml' },
  { file: 'full-scrape.good.yml' },
  { file: 'file-http-sd.good.yml' },
  { file: 'remote-write-mimir.good.yml' },
  { file: 'ignored-sections.good.yml' },
  { file: 'kubernetes-pods.good.yml', promtool: 'debian-without-kubernetes-sd' },
  { file: 'v3-fields.good.yml', promtool: 'v3-only-fields' },
];

export const BAD_FIXTURES: readonly BadFixture[] = [
  { file: 'unknown-field.bad.yml', error: 'field scrape_intervall not found', line: 3 },
  { file: 'unknown-top-level.bad.yml', error: 'field scrap_configs not found', line: 3 },
  {
    file: 'scrape-configs-not-a-list.bad.yml',
    error: 'cannot unmarshal !!map',
    line: 2,
    path: 'scrape_configs',
  },
  { file: 'yaml-syntax.bad.yml', error: 'yaml: ', line: 5 },
  { file: 'duplicate-key.bad.yml', error: 'Map keys must be unique', line: 4 },
  {
    file: 'timeout-above-interval.bad.yml',
    error: 'scrape timeout greater than scrape interval for scrape config with job name "a"',
    line: 4,
    path: 'scrape_configs[0].scrape_timeout',
  },
  {
    file: 'global-timeout-above-interval.bad.yml',
    error: 'global scrape timeout greater than scrape interval',
    line: 3,
    path: 'global.scrape_timeout',
  },
  {
    file: 'duplicate-job.bad.yml',
    error: 'found multiple scrape configs with job name "node"',
    line: 4,
    path: 'scrape_configs[2].job_name',
  },
  { file: 'job-name-empty.bad.yml', error: 'job_name is empty', line: 2 },
  { file: 'null-scrape-config.bad.yml', error: 'empty or null scrape config section', line: 3 },
  {
    file: 'null-relabel-rule.bad.yml',
    error: 'empty or null target relabeling rule in scrape config',
    line: 6,
    path: 'scrape_configs[0].relabel_configs[1]',
  },
  {
    file: 'null-metric-relabel-rule.bad.yml',
    error: 'empty or null metric relabeling rule in scrape config',
    line: 4,
  },
  {
    file: 'static-target-url.bad.yml',
    error: '"http://localhost:9100/metrics" is not a valid hostname',
    line: 6,
    path: 'scrape_configs[0].static_configs[0].targets[1]',
  },
  { file: 'duration-order.bad.yml', error: 'not a valid duration string: "30s1m"', line: 3 },
  {
    file: 'size-without-unit.bad.yml',
    error: 'missing unit',
    line: 3,
    path: 'scrape_configs[0].body_size_limit',
  },
  { file: 'negative-limit.bad.yml', error: 'cannot unmarshal !!int `-1` into uint', line: 3 },
  {
    file: 'relabel-bad-regex.bad.yml',
    error: 'missing closing )',
    line: 5,
    path: 'scrape_configs[0].relabel_configs[0].regex',
  },
  { file: 'relabel-unknown-action.bad.yml', error: 'unknown relabel action "keep_if"', line: 4 },
  { file: 'relabel-hashmod-modulus.bad.yml', error: 'hashmod requires non-zero modulus', line: 4 },
  {
    file: 'relabel-replace-no-target.bad.yml',
    error: "replace action requires 'target_label' value",
    line: 4,
  },
  { file: 'relabel-labeldrop-extra-field.bad.yml', error: "labeldrop action requires only 'regex'", line: 4 },
  {
    file: 'legacy-target-label.bad.yml',
    error: `"not-valid" is invalid 'target_label' for replace action`,
    line: 7,
  },
  {
    file: 'bearer-token-and-file.bad.yml',
    error: 'at most one of bearer_token & bearer_token_file',
    line: 4,
  },
  {
    file: 'basic-auth-and-bearer.bad.yml',
    error: 'at most one of basic_auth, oauth2, bearer_token & bearer_token_file',
    line: 6,
  },
  { file: 'authorization-type-basic.bad.yml', error: 'authorization type cannot be set to "basic"', line: 4 },
  {
    file: 'basic-auth-and-authorization.bad.yml',
    error: 'at most one of basic_auth, oauth2 & authorization must be configured',
    line: 6,
  },
  { file: 'oauth2-no-client-id.bad.yml', error: 'oauth2 client_id must be configured', line: 4 },
  {
    file: 'tls-cert-without-key.bad.yml',
    error: 'exactly one of key or key_file must be configured',
    line: 4,
  },
  { file: 'tls-unknown-version.bad.yml', error: 'unknown TLS version: TLS14', line: 4 },
  {
    file: 'proxy-connect-header-without-proxy.bad.yml',
    error: 'if proxy_connect_header is configured, proxy_url or proxy_from_environment',
    line: 4,
  },
  { file: 'scrape-protocols-empty.bad.yml', error: 'scrape_protocols cannot be empty', line: 3 },
  {
    file: 'scrape-protocols-unknown.bad.yml',
    error: 'unknown scrape protocol OpenMetricsText2.0.0',
    line: 2,
  },
  { file: 'scrape-protocols-duplicate.bad.yml', error: 'duplicated protocol in scrape_protocols', line: 3 },
  { file: 'kubernetes-no-role.bad.yml', error: 'role missing', line: 4 },
  { file: 'kubernetes-unknown-role.bad.yml', error: 'unknown Kubernetes SD role "deployment"', line: 4 },
  {
    file: 'kubernetes-kubeconfig-and-api-server.bad.yml',
    error: "cannot use 'kubeconfig_file' and 'api_server' simultaneously",
    line: 4,
  },
  {
    file: 'kubernetes-http-config-without-api-server.bad.yml',
    error: "please provide the 'api_server' URL explicitly",
    line: 4,
  },
  {
    file: 'kubernetes-own-namespace-with-api-server.bad.yml',
    error: "cannot use 'api_server' and 'namespaces.own_namespace' simultaneously",
    line: 4,
  },
  {
    file: 'kubernetes-selector-role.bad.yml',
    error: 'service role supports only service selectors',
    line: 6,
  },
  { file: 'kubernetes-duplicate-selector.bad.yml', error: 'duplicated selector role: pod', line: 8 },
  { file: 'remote-write-no-url.bad.yml', error: 'url for remote_write is empty', line: 2 },
  {
    file: 'remote-write-authorization-header.bad.yml',
    error: 'authorization header must be changed via',
    line: 4,
  },
  { file: 'remote-write-reserved-header.bad.yml', error: 'Content-Type is a reserved header', line: 5 },
  {
    file: 'remote-write-duplicate-name.bad.yml',
    error: 'found multiple remote write configs with job name "main"',
    line: 4,
  },
  {
    file: 'remote-write-queue-shards.bad.yml',
    error: 'min_shards must not be greater than max_shards',
    line: 4,
    promtool: 'v3-only-rule',
  },
  { file: 'file-sd-bad-pattern.bad.yml', error: 'is not valid for file discovery', line: 4 },
  { file: 'http-sd-scheme.bad.yml', error: "URL scheme must be 'http' or 'https'", line: 4 },
  { file: 'static-target-empty.bad.yml', error: 'instance 1 in group 0: no address', line: undefined },
  {
    file: 'relabeled-address-slash.bad.yml',
    error: 'instance 0 in group 0: "host/x" is not a valid hostname',
    line: undefined,
  },
  {
    file: 'file-sd-bad-target.bad.yml',
    error: 'sd-bad/*.json": instance 0 in group : "http://x/metrics" is not a valid hostname',
    line: undefined,
  },
  { file: 'merge-null.bad.yml', error: 'map merge requires map or sequence of maps as the value', line: 3 },
  { file: 'rule-file-path.bad.yml', error: 'invalid rule file path "rules/*/alerts.yml"', line: 2 },
];
