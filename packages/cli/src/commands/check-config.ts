import { checkConfigFile } from '@scrapewire/config';
import type { CliIO } from '../main.js';

/**
 * `scrapewire check config FILE…`: checks each file as `promtool check config` does (see
 * `checkConfigFile` in `@scrapewire/config`) and prints the same shape of report: `Checking FILE`, then
 * ` SUCCESS: …` on stdout or `  FAILED: file:line:column: path: reason` on stderr.
 *
 * @returns the exit code: 0 when every file is valid, 1 otherwise
 */
export async function checkConfigCommand(files: readonly string[], io: CliIO): Promise<number> {
  let failed = false;
  for (const file of files) {
    io.stdout.write(`Checking ${file}\n`);
    try {
      const result = await checkConfigFile(file);
      for (const w of result.warnings) io.stdout.write(`  WARNING: ${w}\n`);
      io.stdout.write(` SUCCESS: ${file} is valid prometheus config file syntax\n`);
      if (result.ruleFileCount > 0) io.stdout.write(` SUCCESS: ${result.ruleFileCount} rule files found\n`);
    } catch (err) {
      failed = true;
      io.stderr.write(`  FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    io.stdout.write('\n');
  }
  return failed ? 1 : 0;
}
