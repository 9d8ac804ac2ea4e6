import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One project per package and example; each has its own vitest.config.ts.
    projects: ['packages/*', 'examples/*'],
  },
});
