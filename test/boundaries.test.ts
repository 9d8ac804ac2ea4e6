/**
 * Checks the package boundaries the README's architecture promises, the way Prometheus uses depguard:
 * dependencies point one way, production code imports only what its package.json declares, and nothing
 * reaches into another package's files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Which workspace packages each package may depend on at runtime — and why not more. */
const ALLOWED: Record<string, readonly string[]> = {
  // The shared vocabulary is a leaf: everything depends on it, it depends on nothing.
  '@scrapewire/model': [],
  // Relabeling is pure label algebra; it knows nothing of config files or scraping.
  '@scrapewire/relabel': ['@scrapewire/model'],
  // Config turns the file format into typed options; it validates relabel rules, and knows nothing of scraping.
  '@scrapewire/config': ['@scrapewire/model', '@scrapewire/relabel'],
  // Storage knows nothing of discovery or scraping.
  '@scrapewire/storage': ['@scrapewire/model', '@scrapewire/relabel', '@scrapewire/config'],
  // Discovery is usable alone: no scrape, no storage.
  '@scrapewire/discovery': ['@scrapewire/model', '@scrapewire/config', '@scrapewire/kube-client-metrics'],
  // Scrape consumes target sets (model), never discovery's code.
  '@scrapewire/scrape': [
    '@scrapewire/model',
    '@scrapewire/relabel',
    '@scrapewire/config',
    '@scrapewire/storage',
  ],
  // Client instrumentation is independent of everything else here.
  '@scrapewire/kube-client-metrics': [],
  '@scrapewire/test-utils': ['@scrapewire/model'],
};

const root = join(import.meta.dirname, '..');
const builtins = new Set(builtinModules);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes('/testing/')) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re =
    /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of src.matchAll(re)) specs.push((m[1] ?? m[2])!);
  return specs;
}

function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const packages = readdirSync(join(root, 'packages')).map((dir) => {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  return { dir, pkg };
});

describe('package boundaries', () => {
  it('every library package is known to this test', () => {
    const names = packages.map((p) => p.pkg.name as string).filter((n) => n.startsWith('@scrapewire/'));
    expect(names.sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  for (const { dir, pkg } of packages) {
    const allowed = ALLOWED[pkg.name];
    if (!allowed) continue;

    it(`${pkg.name} depends only on the packages below it`, () => {
      const workspaceDeps = Object.keys(pkg.dependencies ?? {}).filter(
        (d) => d.startsWith('@scrapewire/') || d === 'scrapewire',
      );
      expect(workspaceDeps.filter((d) => !allowed.includes(d))).toEqual([]);
    });

    it(`${pkg.name} imports only declared dependencies, never another package's files`, () => {
      const declared = new Set([
        ...Object.keys(pkg.dependencies ?? {}),
        ...Object.keys(pkg.peerDependencies ?? {}),
      ]);
      const problems: string[] = [];
      for (const file of walk(join(root, 'packages', dir, 'src'))) {
        const rel = file.slice(root.length + 1);
        for (const spec of importsOf(file)) {
          if (spec.startsWith('.')) {
            if (spec.includes('../../') && !join(file, '..', spec).startsWith(join(root, 'packages', dir))) {
              problems.push(`${rel}: relative import leaves the package: ${spec}`);
            }
            continue;
          }
          if (spec.startsWith('node:') || builtins.has(spec)) continue;
          const name = packageOf(spec);
          if (!declared.has(name)) problems.push(`${rel}: imports undeclared ${name}`);
          if (
            name.startsWith('@scrapewire/') &&
            spec !== name &&
            /\/(src|dist|internal)\b/.test(spec.slice(name.length))
          ) {
            problems.push(`${rel}: deep import ${spec}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
