import { Command, CommanderError } from 'commander';
import { checkConfigCommand } from './commands/check-config.js';
import { checkMetricsCommand } from './commands/check-metrics.js';
import { agentCommand } from './commands/agent.js';

/** Where a command writes; injectable so the CLI can be tested in-process. */
export interface CliIO {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const processIO: CliIO = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/**
 * Runs the `scrapewire` command line and resolves to the exit code. Commands return their exit code
 * rather than calling `process.exit`, so the CLI is testable in-process.
 */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  let exitCode = 0;
  const program = new Command('scrapewire')
    .description('A Prometheus-compatible scrape agent for Node.js')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  const check = program
    .command('check')
    .description('Check configuration files and expositions, like promtool');
  check
    .command('metrics')
    .description('Read a metrics exposition from stdin and report what is wrong with it')
    .option('--format <format>', 'text (Prometheus 0.0.4) or openmetrics', 'text')
    .action(async (opts: { format: string }) => {
      exitCode = await checkMetricsCommand(opts, io);
    });
  check
    .command('config')
    .description('Check configuration files as `promtool check config` does')
    .argument('<files...>', 'configuration files')
    .action(async (files: string[]) => {
      exitCode = await checkConfigCommand(files, io);
    });

  agentCommand(program, io, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return exitCode;
}
