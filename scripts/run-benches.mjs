#!/usr/bin/env node
// `pnpm bench [filter]`: runs every packages/*/bench/*.bench.ts (tinybench scripts, through tsx) one after
// another, so each has the machine to itself. A filter keeps only files whose path contains it.
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const filter = process.argv[2] ?? '';
const files = [];
for (const pkg of readdirSync('packages')) {
  const dir = join('packages', pkg, 'bench');
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).sort()) {
    if (f.endsWith('.bench.ts') && join(dir, f).includes(filter)) files.push(join(dir, f));
  }
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--conditions=@scrapewire/source', file],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
