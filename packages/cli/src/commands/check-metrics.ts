import type { CliIO } from '../main.js';

/** `scrapewire check metrics`: exit 0 when the exposition on stdin is valid, 1 when not. */
export async function checkMetricsCommand(_opts: { format: string }, io: CliIO): Promise<number> {
  io.stderr.write('check metrics: not implemented yet\n');
  return 2;
}
