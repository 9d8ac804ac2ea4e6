import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfigFile } from './load-config.js';

describe('loadConfigFile with scrape_config_files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-config-'));
    await mkdir(join(dir, 'jobs'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('merges matching files in sorted order, validated against the main global', async () => {
    await writeFile(
      join(dir, 'prometheus.yml'),
      'global: {scrape_interval: 20s, sample_limit: 9}\nscrape_config_files: [jobs/*.yml]\nscrape_configs: [{job_name: main}]\n',
    );
    await writeFile(
      join(dir, 'jobs', 'b.yml'),
      'scrape_configs: [{job_name: b, file_sd_configs: [{files: [t.json]}]}]\n',
    );
    await writeFile(join(dir, 'jobs', 'a.yml'), 'scrape_configs: [{job_name: a}]\n');
    await writeFile(join(dir, 'jobs', 'ignored.txt'), 'not yaml: [');
    const c = await loadConfigFile(join(dir, 'prometheus.yml'));
    expect(c.scrapeConfigs.map((j) => j.jobName)).toEqual(['main', 'a', 'b']);
    expect(c.scrapeConfigs[1]).toMatchObject({ scrapeIntervalMs: 20_000, sampleLimit: 9 });
    // Relative paths in an included file start at that file's directory.
    expect(c.scrapeConfigs[2]!.serviceDiscovery.fileSdConfigs[0]!.files).toEqual([
      join(dir, 'jobs', 't.json'),
    ]);
  });

  it('rejects a job name used in the main file, naming where it was first found', async () => {
    await writeFile(
      join(dir, 'prometheus.yml'),
      'scrape_config_files: [jobs/*.yml]\nscrape_configs: [{job_name: a}]\n',
    );
    await writeFile(join(dir, 'jobs', 'a.yml'), 'scrape_configs:\n  - job_name: a\n');
    const err = await loadConfigFile(join(dir, 'prometheus.yml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.file).toBe(join(dir, 'jobs', 'a.yml'));
    expect(e.line).toBe(2);
    expect(e.message).toContain(
      'found multiple scrape configs with job name "a", first found in main config file',
    );
  });

  it('rejects unknown keys in an included file', async () => {
    await writeFile(join(dir, 'prometheus.yml'), 'scrape_config_files: [jobs/*.yml]\n');
    await writeFile(join(dir, 'jobs', 'a.yml'), 'global: {}\n');
    await expect(loadConfigFile(join(dir, 'prometheus.yml'))).rejects.toThrow('field global not found');
  });

  it('reports an unreadable file as a ConfigError', async () => {
    const err = await loadConfigFile(join(dir, 'missing.yml')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain('ENOENT');
  });
});
