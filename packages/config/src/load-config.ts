import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { expandFilePattern } from './glob.js';
import { ConfigError } from './errors.js';
import type { LoadContext } from './load-context.js';
import { resolvePath } from './load-context.js';
import { readRemoteWrite } from './remote-write.js';
import {
  isValidLabelName,
  readDuration,
  readScrapeConfig,
  readScrapeProtocols,
  readSize,
  type ResolvedGlobal,
  validateScrapeProtocols,
} from './scrape-config.js';
import type { PrometheusConfig, RemoteWriteConfig, ScrapeConfig } from './types.js';
import { Field, parseYaml } from './yaml-field.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Named in error messages and recorded as `sourceFile`. */
  readonly filename?: string;
  /**
   * Directory that relative paths in the file (`*_file`, `file_sd_configs` patterns, kubeconfig) are
   * resolved against. @defaultValue the directory of `filename`, or paths stay as written
   */
  readonly baseDir?: string;
  /** Environment for `$VAR` expansion in `external_labels`. @defaultValue `process.env` */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Top-level sections Prometheus accepts. The ones scrapewire does not act on are listed in `ignoredSections`. */
const TOP_LEVEL_KEYS = [
  'global',
  'runtime',
  'alerting',
  'rule_files',
  'scrape_config_files',
  'scrape_configs',
  'storage',
  'tracing',
  'remote_write',
  'remote_read',
  'otlp',
];
const ACTED_ON = new Set(['global', 'scrape_config_files', 'scrape_configs', 'remote_write']);

const GLOBAL_KEYS = [
  'scrape_interval',
  'scrape_timeout',
  'scrape_protocols',
  'evaluation_interval',
  'rule_query_offset',
  'external_labels',
  'query_log_file',
  'scrape_failure_log_file',
  'body_size_limit',
  'sample_limit',
  'target_limit',
  'label_limit',
  'label_name_length_limit',
  'label_value_length_limit',
  'keep_dropped_targets',
  'metric_name_validation_scheme',
  'metric_name_escaping_scheme',
  'scrape_native_histograms',
  'convert_classic_histograms_to_nhcb',
  'always_scrape_classic_histograms',
  'extra_scrape_metrics',
];

/** A `rule_files` / `scrape_config_files` entry: a `*` only in the last path segment. */
const GLOB_PATTERN = /^[^*]*(\*[^/]*)?$/;

/**
 * Reads a Prometheus configuration from YAML text, with Prometheus 3's defaults, inheritance and
 * validation rules. `scrape_config_files` are recorded but not read (use {@link loadConfigFile}).
 *
 * @example
 * ```ts
 * const config = loadConfig('scrape_configs: [{job_name: node, static_configs: [{targets: [localhost:9100]}]}]');
 * config.scrapeConfigs[0].scrapeIntervalMs; // 60000
 * ```
 * @throws {ConfigError} naming file, line, column and field path of the first problem
 */
export function loadConfig(text: string, options: LoadConfigOptions = {}): PrometheusConfig {
  const ctx = contextFor(options);
  const src = parseYaml(text, options.filename);
  const root = Field.root(src);
  const top = root.struct('config', TOP_LEVEL_KEYS);

  const global = readGlobal(ctx, top.get('global'));

  for (const key of ['rule_files', 'scrape_config_files']) {
    const what = key === 'rule_files' ? 'rule file' : 'scrape config file';
    for (const p of top.get(key)?.list() ?? []) {
      if (!GLOB_PATTERN.test(p.str())) p.fail(`invalid ${what} path ${JSON.stringify(p.str())}`);
    }
  }

  const scrapeConfigs: ScrapeConfig[] = [];
  const seenJobs = new Set<string>();
  for (const entry of top.get('scrape_configs')?.list() ?? []) {
    const job = readScrapeConfig(ctx, entry, global);
    if (seenJobs.has(job.jobName)) {
      const at = entry.entries().find(([k]) => k === 'job_name')?.[1] ?? entry;
      at.fail(`found multiple scrape configs with job name ${JSON.stringify(job.jobName)}`);
    }
    seenJobs.add(job.jobName);
    scrapeConfigs.push(job);
  }

  const remoteWrite: RemoteWriteConfig[] = [];
  const rwNames = new Set<string>();
  for (const entry of top.get('remote_write')?.list() ?? []) {
    if (entry.isNull) entry.fail('empty or null remote write config section');
    const rw = readRemoteWrite(ctx, entry, global.metricNameValidationScheme);
    if (rw.name !== undefined && rwNames.has(rw.name)) {
      entry.fail(`found multiple remote write configs with job name ${JSON.stringify(rw.name)}`);
    }
    if (rw.name !== undefined) rwNames.add(rw.name);
    remoteWrite.push(rw);
  }

  checkIgnoredSections(top, global.metricNameValidationScheme);
  const ignoredSections = [...top.keys()].filter((k) => !ACTED_ON.has(k) && !top.get(k)!.isNull);
  const scrapeConfigFiles = (top.get('scrape_config_files')?.strList() ?? []).map((p) => resolvePath(ctx, p));
  const { metricNameEscapingScheme: _escaping, ...globalOut } = global;
  return deepFreeze({
    global: { ...globalOut, metricNameEscapingScheme: global.metricNameEscapingScheme },
    scrapeConfigs,
    remoteWrite,
    ignoredSections,
    warnings: ctx.warnings,
    scrapeConfigFiles,
    ruleFiles: (top.get('rule_files')?.strList() ?? []).map((p) => resolvePath(ctx, p)),
    ...(options.filename !== undefined ? { sourceFile: options.filename } : {}),
  });
}

/**
 * Sections scrapewire does not act on still get the shape checks that make Prometheus reject a file
 * outright, so that a file both accept is one Prometheus would also load. Their fields are not checked.
 */
function checkIgnoredSections(top: ReadonlyMap<string, Field>, validation: 'utf8' | 'legacy'): void {
  for (const key of ['alerting', 'storage', 'tracing', 'otlp', 'runtime']) {
    top.get(key)?.entries(`into ${key}`);
  }
  // Prometheus refuses to load an OTLP translation strategy it does not know, or one that needs UTF-8
  // names when the global validation scheme is legacy.
  const strategyField = new Map(top.get('otlp')?.entries('into otlp') ?? []).get('translation_strategy');
  const strategy = strategyField?.str() ?? '';
  if (strategyField && strategy !== '') {
    if (strategy === 'NoTranslation' || strategy === 'NoUTF8EscapingWithSuffixes') {
      if (validation === 'legacy') {
        strategyField.fail(
          `OTLP translation strategy ${JSON.stringify(strategy)} is not allowed when UTF8 is disabled`,
        );
      }
    } else if (
      strategy !== 'UnderscoreEscapingWithSuffixes' &&
      strategy !== 'UnderscoreEscapingWithoutSuffixes'
    ) {
      strategyField.fail(`unsupported OTLP translation strategy ${JSON.stringify(strategy)}`);
    }
  }
  const names = new Set<string>();
  for (const entry of top.get('remote_read')?.list() ?? []) {
    if (entry.isNull) entry.fail('empty or null remote read config section');
    const fields = new Map(entry.entries('into remote_read'));
    if (!fields.get('url')?.str()) entry.fail('url for remote_read is empty');
    const name = fields.get('name')?.str() ?? '';
    if (name && names.has(name))
      entry.fail(`found multiple remote read configs with job name ${JSON.stringify(name)}`);
    names.add(name);
  }
}

function contextFor(options: LoadConfigOptions): LoadContext {
  const baseDir =
    options.baseDir ?? (options.filename !== undefined ? dirname(resolve(options.filename)) : undefined);
  return { baseDir, env: options.env ?? process.env, warnings: [] };
}

function readGlobal(ctx: LoadContext, field: Field | undefined): ResolvedGlobal {
  const g = field ? field.struct('global', GLOBAL_KEYS) : new Map<string, Field>();
  const at = (k: string) => g.get(k) ?? field;

  const vField = g.get('metric_name_validation_scheme');
  const vText = vField?.str() ?? '';
  if (vText !== '' && vText !== 'utf8' && vText !== 'legacy') {
    vField!.fail(`unrecognized ValidationScheme: ${JSON.stringify(vText)}`);
  }
  const validation = (vText || 'utf8') as 'utf8' | 'legacy';

  const externalLabels: Record<string, string> = {};
  for (const [name, v] of g.get('external_labels')?.entries('into labels.Labels') ?? []) {
    if (!isValidLabelName(name, validation)) v.fail(`${JSON.stringify(name)} is not a valid label name`);
    externalLabels[name] = expandEnv(ctx, v.str());
  }

  const scrapeIntervalMs = readDuration(g.get('scrape_interval'), 0) || 60_000;
  let scrapeTimeoutMs = readDuration(g.get('scrape_timeout'), 0);
  if (scrapeTimeoutMs > scrapeIntervalMs) {
    (at('scrape_timeout') ?? at('scrape_interval'))!.fail(
      'global scrape timeout greater than scrape interval',
    );
  }
  if (scrapeTimeoutMs === 0) scrapeTimeoutMs = Math.min(10_000, scrapeIntervalMs);

  const protocols = readScrapeProtocols(g.get('scrape_protocols'));
  const scrapeProtocols = protocols ? validateScrapeProtocols(protocols, ' for global config') : undefined;

  const eField = g.get('metric_name_escaping_scheme');
  const eText = eField?.str() ?? '';
  const escaping = eText || (validation === 'legacy' ? 'underscores' : 'allow-utf-8');
  if (!['allow-utf-8', 'underscores', 'dots', 'values'].includes(escaping)) {
    eField!.fail(
      `unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got ${JSON.stringify(escaping)}`,
    );
  }
  const bool = (k: string) => g.get(k)?.bool() ?? false;
  const str = (k: string) => g.get(k)?.str() ?? '';
  return {
    scrapeIntervalMs,
    scrapeTimeoutMs,
    evaluationIntervalMs: readDuration(g.get('evaluation_interval'), 0) || 60_000,
    ...(scrapeProtocols ? { scrapeProtocols } : {}),
    externalLabels,
    bodySizeLimitBytes: readSize(g.get('body_size_limit')),
    sampleLimit: g.get('sample_limit')?.uint() ?? 0,
    labelLimit: g.get('label_limit')?.uint() ?? 0,
    labelNameLengthLimit: g.get('label_name_length_limit')?.uint() ?? 0,
    labelValueLengthLimit: g.get('label_value_length_limit')?.uint() ?? 0,
    targetLimit: g.get('target_limit')?.uint() ?? 0,
    keepDroppedTargets: g.get('keep_dropped_targets')?.uint() ?? 0,
    metricNameValidationScheme: validation,
    metricNameEscapingScheme: escaping as ResolvedGlobal['metricNameEscapingScheme'],
    scrapeNativeHistograms: bool('scrape_native_histograms'),
    alwaysScrapeClassicHistograms: bool('always_scrape_classic_histograms'),
    convertClassicHistogramsToNhcb: bool('convert_classic_histograms_to_nhcb'),
    extraScrapeMetrics: bool('extra_scrape_metrics'),
    ...(str('scrape_failure_log_file')
      ? { scrapeFailureLogFile: resolvePath(ctx, str('scrape_failure_log_file')) }
      : {}),
    ...(str('query_log_file') ? { queryLogFile: resolvePath(ctx, str('query_log_file')) } : {}),
  };
}

/**
 * `$VAR` / `${VAR}` expansion as Go's `os.Expand` does it for external labels: `$$` is a literal `$`,
 * an unset or empty variable expands to `''` (with a warning).
 */
function expandEnv(ctx: LoadContext, value: string): string {
  return value.replace(/\$(?:\{([^}]*)\}|([A-Za-z0-9_]+)|([*#$@!?-]))/g, (_m, braced, plain, special) => {
    const name: string = braced ?? plain ?? special;
    if (name === '$') return '$';
    const v = ctx.env[name];
    if (v) return v;
    ctx.warnings.push(`external_labels: environment variable ${name} is empty or not set`);
    return '';
  });
}

/**
 * Reads a configuration file and the files its `scrape_config_files` globs match (in sorted order),
 * whose jobs are validated against the main file's `global` and must not reuse a job name.
 *
 * @throws {ConfigError} for unreadable files as well as invalid content
 */
export async function loadConfigFile(
  path: string,
  options: Omit<LoadConfigOptions, 'filename'> = {},
): Promise<PrometheusConfig> {
  return (await loadConfigFileWithSources(path, options)).config;
}

/**
 * {@link loadConfigFile}, also returning the text of every file read (the main file first), so that a
 * watcher can tell whether anything changed. On failure the error carries the texts read so far.
 *
 * @internal
 */
export async function loadConfigFileWithSources(
  path: string,
  options: Omit<LoadConfigOptions, 'filename'>,
  sources: Map<string, string> = new Map(),
): Promise<{ config: PrometheusConfig; sources: Map<string, string> }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError((err as Error).message, { file: path }, { cause: err });
  }
  sources.set(path, text);
  const main = loadConfig(text, { ...options, filename: path });
  if (!main.scrapeConfigFiles || main.scrapeConfigFiles.length === 0) return { config: main, sources };

  const ctx = contextFor({ ...options, filename: path });
  const global = {
    ...main.global,
    metricNameEscapingScheme: main.global.metricNameEscapingScheme ?? 'allow-utf-8',
  };
  const jobs = new Map<string, string>(main.scrapeConfigs.map((j) => [j.jobName, 'main config file']));
  const extra: ScrapeConfig[] = [];
  for (const pattern of main.scrapeConfigFiles) {
    for (const file of await expandFilePattern(pattern)) {
      let content: string;
      try {
        content = await readFile(file, 'utf8');
      } catch (err) {
        throw new ConfigError((err as Error).message, { file }, { cause: err });
      }
      sources.set(file, content);
      const src = parseYaml(content, file);
      const fileCtx: LoadContext = { ...ctx, baseDir: dirname(resolve(file)), warnings: ctx.warnings };
      const top = Field.root(src).struct('scrape_configs', ['scrape_configs']);
      for (const entry of top.get('scrape_configs')?.list() ?? []) {
        const job = readScrapeConfig(fileCtx, entry, global as ResolvedGlobal);
        const first = jobs.get(job.jobName);
        if (first !== undefined) {
          entry.fail(
            `found multiple scrape configs with job name ${JSON.stringify(job.jobName)}, first found in ${first}`,
          );
        }
        jobs.set(job.jobName, JSON.stringify(file));
        extra.push(job);
      }
    }
  }
  const warnings = [...(main.warnings ?? []), ...ctx.warnings];
  return {
    config: deepFreeze({ ...main, scrapeConfigs: [...main.scrapeConfigs, ...extra], warnings }),
    sources,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    // Secrets keep their private state; freezing them is harmless but their class must stay intact.
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
