import type { Command } from 'commander';
import type { CliIO } from '../main.js';

/** Registers `scrapewire agent`, which composes config → discovery → relabel → scrape → storage. */
export function agentCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  program
    .command('agent')
    .description('Run the scrape agent on a prometheus.yml')
    .option('--config.file <path>', 'Prometheus configuration file', 'prometheus.yml')
    .action(async () => {
      io.stderr.write('agent: not implemented yet\n');
      setExitCode(2);
    });
}
