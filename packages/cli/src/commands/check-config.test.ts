import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { findBinary, missingBinaryMessage } from '@scrapewire/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';

const run = promisify(execFile);

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += String(d);
  });
  stderr.on('data', (d) => {
    err += String(d);
  });
  return { io: { stdin: new PassThrough(), stdout, stderr }, out: () => out, err: () => err };
}

const FILES: Record<string, string> = {
  'good.yml': 'scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ["localhost:9090"]}]\n',
  'bad.yml': 'scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n',
  'missing-token.yml': 'scrape_configs:\n  - job_name: a\n    bearer_token_file: no-such-token\n',
  'bad-sd-file.yml': 'scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [sd/*.json]}]\n',
  'sd/targets.json': '[{"targets": ["http://a/b"]}]',
  'missing-rule-file.yml': 'rule_files: [no-such-rules.yml]\n',
  'no-sd-match.yml': 'scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [nothing/*.json]}]\n',
};

describe('scrapewire check config', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-check-config-'));
    await mkdir(join(dir, 'sd'));
    for (const [name, text] of Object.entries(FILES)) await writeFile(join(dir, name), text);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports success like promtool and exits 0', async () => {
    const c = capture();
    const file = join(dir, 'good.yml');
    expect(await main(['check', 'config', file], c.io)).toBe(0);
    expect(c.out()).toBe(`Checking ${file}\n SUCCESS: ${file} is valid prometheus config file syntax\n\n`);
    expect(c.err()).toBe('');
  });

  it('reports a failure with file and line and exits 1, checking every file', async () => {
    const c = capture();
    const bad = join(dir, 'bad.yml');
    const good = join(dir, 'good.yml');
    expect(await main(['check', 'config', bad, good], c.io)).toBe(1);
    expect(c.out()).toContain(`Checking ${bad}\n`);
    expect(c.out()).toContain(` SUCCESS: ${good} is valid`);
    expect(c.err()).toBe(
      `  FAILED: ${bad}:4:21: scrape_configs[0].scrape_timeout: scrape timeout greater than scrape interval for scrape config with job name "a"\n`,
    );
  });

  it.each([
    ['missing-token.yml', 'error checking authorization credentials or bearer token file'],
    ['bad-sd-file.yml', 'is not a valid hostname'],
    ['missing-rule-file.yml', 'does not point to an existing file'],
  ])('makes promtool’s extra checks: %s', async (name, fragment) => {
    const c = capture();
    expect(await main(['check', 'config', join(dir, name)], c.io)).toBe(1);
    expect(c.err()).toContain(fragment);
  });

  it('warns about a file_sd pattern that matches nothing', async () => {
    const c = capture();
    expect(await main(['check', 'config', join(dir, 'no-sd-match.yml')], c.io)).toBe(0);
    expect(c.out()).toContain('  WARNING: file ');
    expect(c.out()).toContain('does not exist');
  });

  const promtool = findBinary('promtool');
  describe.skipIf(!promtool)(
    `same verdicts as promtool (${promtool ? 'found' : missingBinaryMessage('promtool')})`,
    () => {
      it.each(Object.keys(FILES).filter((f) => f.endsWith('.yml')))('%s', async (name) => {
        const ours = await main(['check', 'config', join(dir, name)], capture().io);
        const theirs = await run(promtool!, ['check', 'config', name], { cwd: dir, timeout: 15_000 }).then(
          () => 0,
          (e: { code?: number }) => e.code ?? 2,
        );
        expect(ours).toBe(theirs);
      });
    },
  );
});
