import { access, readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.js';
import { glob as expandFilePattern, loadConfigFile } from './load-config.js';
import type { PrometheusConfig } from './types.js';

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
 * `bearer_token_file` must exist, `file_sd_configs` files that exist must hold valid target groups,
 * and `rule_files` entries without a wildcard must exist.
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
    for (const sd of job.serviceDiscovery.fileSdConfigs) {
      for (const pattern of sd.files) {
        const matches = await expandFilePattern(pattern);
        if (matches.length === 0) {
          warnings.push(
            `file ${JSON.stringify(pattern)} for file_sd in scrape job ${JSON.stringify(job.jobName)} does not exist`,
          );
        }
        for (const m of matches) {
          const problem = await checkSdFile(m);
          if (problem)
            throw new ConfigError(`checking SD file ${JSON.stringify(pattern)}: ${problem}`, { file: m });
        }
      }
    }
  }
  for (const pattern of config.ruleFiles ?? []) {
    if (!/[*?[]/.test(pattern) && (await expandFilePattern(pattern)).length === 0) {
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

/** Whether a file_sd file holds a list of `{targets, labels}` groups with usable targets. */
async function checkSdFile(path: string): Promise<string | undefined> {
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
    if (g === null || typeof g !== 'object') return `group ${i} is not an object`;
    for (const key of Object.keys(g)) {
      if (key !== 'targets' && key !== 'labels') return `group ${i}: unknown field ${JSON.stringify(key)}`;
    }
    const targets = (g as { targets?: unknown }).targets ?? [];
    if (!Array.isArray(targets)) return `group ${i}: targets must be a list`;
    for (const [j, t] of targets.entries()) {
      if (typeof t !== 'string' || t.includes('/')) {
        return `instance ${j} in group ${i}: ${JSON.stringify(String(t))} is not a valid hostname`;
      }
    }
  }
  return undefined;
}
