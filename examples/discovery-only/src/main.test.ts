import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDiscoveryOnly } from './main.js';

describe('discovery-only example', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-example-discovery-'));
    await cp(fileURLToPath(new URL('../targets/', import.meta.url)), dir, { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('should print the shipped targets, then a change to a file', async () => {
    const lines: string[] = [];
    let onPrint: () => void = () => {};
    const printed = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no output; so far:\n${lines.join('\n')}`)), 5000);
        onPrint = () => {
          if (lines.filter((l) => l.startsWith('update #')).length >= n) {
            clearTimeout(t);
            resolve();
          }
        };
        onPrint();
      });
    const sub = runDiscoveryOnly({
      targetsDir: dir,
      updateIntervalMs: 0,
      print: (line) => {
        lines.push(line);
        onPrint();
      },
    });
    try {
      // The static job reports at once, the files a moment later; wait until both are printed.
      await printed(1);
      if (!lines.some((l) => l.includes('db.yml:0'))) await printed(2);
      const last = lines.slice(lines.lastIndexOf(lines.findLast((l) => l.startsWith('update #'))!));
      expect(last.slice(1)).toEqual([
        '  job node: 1 target(s) in 1 group(s)',
        '    0: localhost:9100 {role="host"}',
        '  job apps: 3 target(s) in 2 group(s)',
        '    web.json:0: 10.0.0.1:8080 10.0.0.2:8080 {team="web"}',
        '    db.yml:0: 10.0.1.1:9187 {team="db"}',
      ]);

      const before = lines.filter((l) => l.startsWith('update #')).length;
      await writeFile(
        join(dir, 'web.json'),
        JSON.stringify([{ targets: ['10.0.0.9:8080'], labels: { team: 'web' } }]),
      );
      await printed(before + 1);
      const block = lines.slice(lines.lastIndexOf(`update #${before + 1}`));
      expect(block).toContain('    web.json:0: 10.0.0.9:8080 {team="web"}');
      expect(block).toContain('  job apps: 2 target(s) in 2 group(s)');
    } finally {
      sub.unsubscribe();
    }
  });
});
