#!/usr/bin/env node
// The `scrapewire` command. Runs the built CLI when `pnpm build` has run; in a fresh checkout that has
// only been installed, it runs the TypeScript source through tsx so that `npx scrapewire …` works at once.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/bin.ts', import.meta.url).href);
}
