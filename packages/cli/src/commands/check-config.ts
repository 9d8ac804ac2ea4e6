import type { CliIO } from '../main.js';

/** `scrapewire check config FILE…`: exit 0 when every file is valid, 1 when not. */
export async function checkConfigCommand(_files: readonly string[], io: CliIO): Promise<number> {
  io.stderr.write('check config: not implemented yet\n');
  return 2;
}
