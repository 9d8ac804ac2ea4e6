#!/usr/bin/env node
// The `scrapewire` command. A published install (and a checkout after `pnpm build`) runs the built CLI.
// A checkout that has only been installed runs the TypeScript sources: Node is re-executed with tsx and the
// `@scrapewire/source` export condition, so every workspace package resolves to its `src/index.ts`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const source = fileURLToPath(new URL('../src/bin.ts', import.meta.url));

if (existsSync(built) && !process.env.SCRAPEWIRE_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@scrapewire/source',
      '--import',
      import.meta.resolve('tsx'),
      source,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit' },
  );
  // The agent reloads on SIGHUP and shuts down on SIGTERM/SIGINT: pass them on to the real process.
  for (const signal of ['SIGHUP', 'SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
  });
}
