import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/scrapewire.mjs', import.meta.url));

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scrapewire-cli-agent-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const jobYaml = (name: string) =>
  `  - job_name: ${name}\n    static_configs:\n      - targets: ['127.0.0.1:1']\n`;

describe('scrapewire agent (process)', () => {
  it('reloads on SIGHUP and exits cleanly on SIGTERM', async () => {
    const file = join(dir, 'prometheus.yml');
    await writeFile(file, `scrape_configs:\n${jobYaml('one')}`);
    const child = spawn(
      process.execPath,
      [bin, 'agent', `--config.file=${file}`, '--web.listen-address=127.0.0.1:0', '--log.format=json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SCRAPEWIRE_FROM_SOURCE: '1' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await eventually(async () => /listening on (http:\/\/\S+)/.exec(stdout)?.[1]);
      const pools = async () => {
        const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as any;
        return body.data.activeTargets.map((t: any) => t.scrapePool).sort();
      };
      expect(await eventually(async () => ((await pools()).length === 1 ? pools() : undefined))).toEqual([
        'one',
      ]);

      await writeFile(file, `scrape_configs:\n${jobYaml('one')}${jobYaml('two')}`);
      child.kill('SIGHUP');
      expect(await eventually(async () => ((await pools()).length === 2 ? pools() : undefined))).toEqual([
        'one',
        'two',
      ]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('"msg":"Agent stopped"');
  }, 60_000);

  it('exits 1 with the error when the config is bad', async () => {
    const file = join(dir, 'bad.yml');
    await writeFile(file, 'scrape_configs:\n  - job_name: a\n    unknown_field: 1\n');
    const child = spawn(
      process.execPath,
      [bin, 'agent', `--config.file=${file}`, '--web.listen-address=127.0.0.1:0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SCRAPEWIRE_FROM_SOURCE: '1' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/bad\.yml:3:\d+/);
  }, 60_000);
});
