import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigFile, ConfigError } from '../src/index.js';
import { BAD_FIXTURES, GOOD_FIXTURES } from './fixture-table.js';

const dir = join(import.meta.dirname, 'fixtures');

describe('fixture corpus', () => {
  it('lists every fixture file in the table', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.good.yml') || f.endsWith('.bad.yml'));
    const listed = new Set([...GOOD_FIXTURES, ...BAD_FIXTURES].map((f) => f.file));
    expect(files.filter((f) => !listed.has(f))).toEqual([]);
    expect(BAD_FIXTURES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(GOOD_FIXTURES.map((f) => f.file))('%s is valid', async (file) => {
    await expect(checkConfigFile(join(dir, file))).resolves.toBeDefined();
  });

  it.each(BAD_FIXTURES.map((f) => [f.file, f] as const))('%s is rejected', async (_file, fixture) => {
    const path = join(dir, fixture.file);
    const err = await checkConfigFile(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.code).toBe('SW_ERR_CONFIG');
    expect(e.message).toContain(fixture.error);
    expect(e.file?.startsWith(fixture.line === undefined ? dir : path)).toBe(true);
    expect(e.line).toBe(fixture.line);
    if (fixture.line !== undefined) {
      expect(e.column).toBeGreaterThan(0);
      expect(e.message.startsWith(`${path}:${fixture.line}:${e.column}: `)).toBe(true);
    }
    if (fixture.path) expect(e.path?.startsWith(fixture.path)).toBe(true);
  });
});
