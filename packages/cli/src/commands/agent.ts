import type { Command } from 'commander';
import { Option } from 'commander';
import { parseDuration } from '@scrapewire/config';
import { startAgent } from '../agent/agent.js';
import { createAgentLogger, type LogFormat, type LogLevel } from '../logger.js';
import type { CliIO } from '../main.js';

interface AgentFlags {
  'config.file': string;
  'web.listenAddress': string;
  'web.enableLifecycle'?: boolean;
  'log.level': LogLevel;
  'log.format': LogFormat;
  'storage.memory.retention': string;
  'storage.memory.maxSeries': string;
  'storage.memory.pointsPerSeries': string;
}

/**
 * Registers `scrapewire agent`, which composes config → discovery → relabel → scrape → storage. Flags use
 * Prometheus's names where Prometheus has the flag.
 */
export function agentCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  program
    .command('agent')
    .description('Run the scrape agent on a prometheus.yml')
    .option('--config.file <path>', 'Prometheus configuration file path.', 'prometheus.yml')
    .option(
      '--web.listen-address <address>',
      'Address to listen on for the web interface and API.',
      '0.0.0.0:9095',
    )
    .option('--web.enable-lifecycle', 'Enable shutdown and reload via HTTP request.')
    .addOption(
      new Option('--log.level <level>', 'Only log messages with the given severity or above.')
        .choices(['debug', 'info', 'warn', 'error'])
        .default('info'),
    )
    .addOption(
      new Option('--log.format <format>', 'Output format of log messages.')
        .choices(['logfmt', 'json'])
        .default('logfmt'),
    )
    .option(
      '--storage.memory.retention <duration>',
      'How much history the embedded in-memory store keeps (5m, the lookback /federate needs, by default).',
      '5m',
    )
    .option('--storage.memory.max-series <n>', 'Most series the embedded in-memory store holds.', '1000000')
    .option(
      '--storage.memory.points-per-series <n>',
      'Newest points the embedded in-memory store keeps per series (/federate needs one).',
      '1',
    )
    .action(async (flags: AgentFlags) => {
      const logger = createAgentLogger(flags['log.level'], flags['log.format'], io.stderr);
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => {
        resolveDone = r;
      });
      let agent: Awaited<ReturnType<typeof startAgent>>;
      try {
        const memoryMaxSeries = positiveInteger(
          '--storage.memory.max-series',
          flags['storage.memory.maxSeries'],
        );
        const memoryPointsPerSeries = positiveInteger(
          '--storage.memory.points-per-series',
          flags['storage.memory.pointsPerSeries'],
        );
        agent = await startAgent({
          memoryRetentionMs: parseDuration(flags['storage.memory.retention']),
          memoryMaxSeries,
          memoryPointsPerSeries,
          configFile: flags['config.file'],
          listenAddress: flags['web.listenAddress'],
          enableLifecycle: flags['web.enableLifecycle'] ?? false,
          logger,
          onQuit: () => void shutdown('quit'),
        });
      } catch (err) {
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'Error loading config');
        io.stderr.write(`scrapewire agent: ${err instanceof Error ? err.message : String(err)}\n`);
        setExitCode(1);
        return;
      }
      io.stdout.write(`scrapewire agent listening on ${agent.url} — open ${agent.url}/targets\n`);
      // SIGHUP is the config watcher's (reload); SIGTERM and SIGINT stop the loops and flush remote write.
      async function shutdown(reason: string) {
        logger.info({ reason }, 'Received shutdown request');
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onTerm);
        await agent.stop();
        resolveDone();
      }
      const onTerm = (signal: NodeJS.Signals) => void shutdown(signal);
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onTerm);
      await done;
      setExitCode(0);
    });
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got ${text}`);
  return n;
}
