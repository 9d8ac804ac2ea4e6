import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One project per package and example (each has its own vitest.config.ts), plus repo-level checks.
    projects: [
      'packages/*/vitest.config.ts',
      'examples/*/vitest.config.ts',
      { test: { name: 'repo', include: ['test/**/*.test.ts'], environment: 'node' } },
    ],
  },
});
