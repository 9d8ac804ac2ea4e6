import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSegmentPattern, expandFilePattern, hasGlobMeta } from './glob.js';

describe('compileSegmentPattern', () => {
  it.each([
    ['*.json', 'a.json', true],
    ['*.json', '.hidden.json', true],
    ['*.json', 'a.yml', false],
    ['a?.yml', 'ab.yml', true],
    ['a?.yml', 'a.yml', false],
    ['[ab]*.json', 'b1.json', true],
    ['[^ab]*.json', 'b1.json', false],
    ['[a-c]x.json', 'cx.json', true],
    ['a\\*.json', 'a*.json', true],
    ['a\\*.json', 'ab.json', false],
    ['x.json', 'x.json', true],
  ])('%s matching %s is %s', (pattern, name, want) => {
    expect(compileSegmentPattern(pattern).test(name)).toBe(want);
  });

  it('should know metacharacters', () => {
    expect(hasGlobMeta('a/b.json')).toBe(false);
    expect(hasGlobMeta('a/*.json')).toBe(true);
  });
});

describe('expandFilePattern', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-glob-'));
    for (const f of ['b.json', 'a.json', 'c.yml']) await writeFile(join(dir, f), '[]');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('should list matching files sorted, and literal paths only when they exist', async () => {
    expect(await expandFilePattern(join(dir, '*.json'))).toEqual([join(dir, 'a.json'), join(dir, 'b.json')]);
    expect(await expandFilePattern(join(dir, 'c.yml'))).toEqual([join(dir, 'c.yml')]);
    expect(await expandFilePattern(join(dir, 'nope.yml'))).toEqual([]);
    expect(await expandFilePattern(join(dir, 'missing-dir', '*.yml'))).toEqual([]);
  });
});
