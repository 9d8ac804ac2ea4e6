import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBinary, missingBinaryMessage } from '@scrapewire/test-utils';
import { describe, expect, it } from 'vitest';
import { checkConfigFile } from '../src/index.js';
import { BAD_FIXTURES, GOOD_FIXTURES, type PromtoolDifference } from './fixture-table.js';

const run = promisify(execFile);
const promtool = findBinary('promtool');
const dir = join(import.meta.dirname, 'fixtures');

/** promtool's verdict: true when `promtool check config` exits 0. */
async function promtoolAccepts(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool!, ['check', 'config', file], { cwd: dir, timeout: 15_000 });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function weAccept(file: string): Promise<boolean> {
  return checkConfigFile(join(dir, file)).then(
    () => true,
    () => false,
  );
}

/**
 * Our verdict must equal promtool's (Debian's 2.42) for every fixture, except where the table says why
 * 2.42 differs: 3.x-only fields and rules, and Debian's build without kubernetes_sd. For those the test
 * asserts that promtool does differ, so the marks stay honest.
 */
describe.skipIf(!promtool)(
  `promtool check config agrees (${promtool ? 'promtool found' : missingBinaryMessage('promtool')})`,
  () => {
    const cases: { file: string; ours: boolean; promtool?: PromtoolDifference }[] = [
      ...GOOD_FIXTURES.map((f) => ({
        file: f.file,
        ours: true,
        ...(f.promtool ? { promtool: f.promtool } : {}),
      })),
      ...BAD_FIXTURES.map((f) => ({
        file: f.file,
        ours: false,
        ...(f.promtool ? { promtool: f.promtool } : {}),
      })),
    ];

    it.each(cases.map((c) => [c.file, c] as const))('%s', async (_name, c) => {
      expect(await weAccept(c.file)).toBe(c.ours);
      const verdict = await promtoolAccepts(c.file);
      if (c.promtool === undefined) {
        expect(verdict.ok, verdict.output).toBe(c.ours);
      } else if (c.promtool === 'v3-only-rule') {
        // 2.42 does not have the rule, so it accepts what 3.x rejects.
        expect(verdict.ok, verdict.output).toBe(true);
      } else {
        // 2.42 rejects the file for a field it does not know.
        expect(verdict.ok, verdict.output).toBe(false);
        expect(verdict.output).toMatch(/field \w+ not found/);
      }
    });
  },
);
