import { defineConfig, type Options } from 'tsup';

/**
 * The one build recipe every package shares: ESM + CJS + .d.ts from `src/index.ts` (and extra entries a
 * package names). Kept in one place so that moving off tsup (now unmaintained upstream) is a one-file change.
 */
export function packageBuild(extraEntries: Record<string, string> = {}): Options {
  return {
    entry: { index: 'src/index.ts', ...extraEntries },
    format: ['esm', 'cjs'],
    // tsup's declaration build sets `baseUrl`, which TypeScript 6 deprecates; silence that one warning here
    // rather than in tsconfig.base.json, which never sets it.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
  };
}

export { defineConfig };
