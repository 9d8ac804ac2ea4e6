import { access, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compileRelabelConfigs, targetsFromGroup, type TargetLabelOptions } from '@scrapewire/relabel';
import { ConfigError } from './errors.js';
import { expandFilePattern, hasGlobMeta } from './glob.js';
import { loadConfigFile } from './load-config.js';
import type { PrometheusConfig, ScrapeConfig } from './types.js';

/** The outcome of {@link checkConfigFile} for a valid file. */
export interface ConfigCheckResult {
  readonly config: PrometheusConfig;
  /** The loader's warnings plus the check's own (a file_sd pattern that matches nothing). */
  readonly warnings: readonly string[];
  /** How many files the `rule_files` patterns match (their contents are not checked). */
  readonly ruleFileCount: number;
}

/**
 * Checks a configuration file the way `promtool check config` does: it loads it (with
 * `scrape_config_files`) and then checks what the file refers to: credential files of `authorization` /
 * `bearer_token_file` must exist, `rule_files` entries without a wildcard must exist, and the targets of
 * `static_configs` and of existing `file_sd_configs` files must survive target relabeling with a
 * usable address (promtool runs them through the same target construction as the scrape loop).
 *
 * @throws {ConfigError} for the first problem
 */
export async function checkConfigFile(path: string): Promise<ConfigCheckResult> {
  const config = await loadConfigFile(path);
  const warnings = [...(config.warnings ?? []), ...(await checkReferencedFiles(config))];
  return { config, warnings, ruleFileCount: await countRuleFiles(config) };
}

/** The checks promtool adds on top of loading; throws for a failure, returns warnings. */
async function checkReferencedFiles(config: PrometheusConfig): Promise<string[]> {
  const warnings: string[] = [];
  for (const job of config.scrapeConfigs) {
    const creds = job.httpClient.authorization?.credentials;
    if (creds && 'file' in creds) {
      try {
        await access(creds.file);
      } catch (err) {
        throw new ConfigError(
          `error checking authorization credentials or bearer token file ${JSON.stringify(creds.file)}: ${(err as Error).message}`,
          { file: config.sourceFile },
        );
      }
    }
    for (const [i, sc] of job.serviceDiscovery.staticConfigs.entries()) {
      const problem = checkGroup(job, String(i), sc.targets, sc.labels);
      if (problem)
        throw new ConfigError(problem, { file: config.sourceFile, path: `scrape_configs.${job.jobName}` });
    }
    for (const sd of job.serviceDiscovery.fileSdConfigs) {
      for (const pattern of sd.files) {
        const matches = await expandFilePattern(pattern);
        if (matches.length === 0) {
          warnings.push(
            `file ${JSON.stringify(pattern)} for file_sd in scrape job ${JSON.stringify(job.jobName)} does not exist`,
          );
        }
        for (const m of matches) {
          const problem = await checkSdFile(m, job);
          if (problem)
            throw new ConfigError(`checking SD file ${JSON.stringify(pattern)}: ${problem}`, { file: m });
        }
      }
    }
  }
  for (const pattern of config.ruleFiles ?? []) {
    if (!hasGlobMeta(pattern) && (await expandFilePattern(pattern)).length === 0) {
      throw new ConfigError(`${JSON.stringify(pattern)} does not point to an existing file`, {
        file: config.sourceFile,
      });
    }
  }
  return warnings;
}

async function countRuleFiles(config: PrometheusConfig): Promise<number> {
  let n = 0;
  for (const pattern of config.ruleFiles ?? []) n += (await expandFilePattern(pattern)).length;
  return n;
}

/**
 * Runs one target group through target relabeling, as promtool does, and returns the first failure
 * (`instance 0 in group 0: no address`), or `undefined`.
 */
function checkGroup(
  job: ScrapeConfig,
  source: string,
  targets: readonly string[],
  labels: Readonly<Record<string, string>>,
): string | undefined {
  const options: TargetLabelOptions = {
    jobName: job.jobName,
    scrapeIntervalMs: job.scrapeIntervalMs,
    scrapeTimeoutMs: job.scrapeTimeoutMs,
    metricsPath: job.metricsPath,
    scheme: job.scheme,
    params: job.params,
  };
  const rules = compileRelabelConfigs(job.relabelConfigs, {
    nameValidationScheme: job.metricNameValidationScheme,
  });
  const group = { source, targets: targets.map((t) => ({ __address__: t })), labels };
  for (const result of targetsFromGroup(group, options, rules)) {
    if (result.kind === 'failed') return result.error;
  }
  return undefined;
}

/** Whether a file_sd file holds a list of `{targets, labels}` groups whose targets are usable. */
async function checkSdFile(path: string, job: ScrapeConfig): Promise<string | undefined> {
  let groups: unknown;
  try {
    const text = await readFile(path, 'utf8');
    groups = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    return (err as Error).message;
  }
  if (groups === null || groups === undefined) return undefined;
  if (!Array.isArray(groups)) return 'expected a list of target groups';
  for (const [i, g] of groups.entries()) {
    if (g === null || typeof g !== 'object' || Array.isArray(g)) return `group ${i} is not an object`;
    for (const key of Object.keys(g)) {
      if (key !== 'targets' && key !== 'labels') return `group ${i}: unknown field ${JSON.stringify(key)}`;
    }
    const { targets = [], labels = {} } = g as { targets?: unknown; labels?: unknown };
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string')) {
      return `group ${i}: targets must be a list of strings`;
    }
    if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
      return `group ${i}: labels must be a map`;
    }
    const labelSet: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) {
      if (typeof v !== 'string') return `group ${i}: label ${JSON.stringify(k)} must be a string`;
      labelSet[k] = v;
    }
    // file_sd names each group `<file>:<index>`; promtool prints the part after the file.
    const problem = checkGroup(job, '', targets as string[], labelSet);
    if (problem) return problem;
  }
  return undefined;
}
