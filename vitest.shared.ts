import { defineProject } from 'vitest/config';

/**
 * Test settings every package shares. Sibling packages resolve to their TypeScript source through the
 * `@scrapewire/source` export condition, so tests never depend on a prior build.
 */
export function definePackageTestConfig(name: string) {
  const conditions = ['@scrapewire/source', 'node', 'import', 'default'];
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['node', 'import', 'default'] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts', '*.test.ts'],
      restoreMocks: true,
      testTimeout: 20_000,
      hookTimeout: 30_000,
    },
  });
}
