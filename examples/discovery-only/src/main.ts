/**
 * Discovery on its own: a small service that runs scrapewire's discovery manager over one static job and
 * one file_sd job and prints the target groups each time they change. Edit a file under `targets/` while
 * it runs and the change is printed within a few seconds.
 *
 * Run it with `pnpm --filter @scrapewire/example-discovery-only start [targets-dir]`.
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ServiceDiscoveryConfigs } from '@scrapewire/config';
import { type DiscoveryJob, discoverTargets } from '@scrapewire/discovery';
import type { Logger, TargetSets } from '@scrapewire/model';
import { type Subscription, of } from 'rxjs';

/** Options of {@link runDiscoveryOnly}. */
export interface DiscoveryOnlyOptions {
  /** The directory holding the file_sd files (`*.json`, `*.yml`). */
  readonly targetsDir: string;
  /** Where each output line goes; `console.log` in the CLI, an array in the test. */
  readonly print: (line: string) => void;
  /** Throttle of the discovery manager; Prometheus's 5 s by default. */
  readonly updateIntervalMs?: number;
  readonly logger?: Logger;
}

const noSd: ServiceDiscoveryConfigs = {
  staticConfigs: [],
  fileSdConfigs: [],
  httpSdConfigs: [],
  kubernetesSdConfigs: [],
};

/**
 * The jobs this example discovers: a static list, and whatever the files say. The file patterns are
 * relative; the manager resolves them against its `baseDir`.
 */
export function exampleJobs(): DiscoveryJob[] {
  return [
    {
      jobName: 'node',
      serviceDiscovery: {
        ...noSd,
        staticConfigs: [{ targets: ['localhost:9100'], labels: { role: 'host' } }],
      },
    },
    {
      jobName: 'apps',
      serviceDiscovery: {
        ...noSd,
        fileSdConfigs: [{ files: ['*.json', '*.yml'], refreshIntervalMs: 5 * 60_000 }],
      },
    },
  ];
}

/** Renders one set of target groups as text lines, file paths shown relative to `targetsDir`. */
export function formatTargetSets(sets: TargetSets, targetsDir: string, update: number): string[] {
  const lines = [`update #${update}`];
  for (const [job, groups] of sets) {
    const count = groups.reduce((n, g) => n + g.targets.length, 0);
    lines.push(`  job ${job}: ${count} target(s) in ${groups.length} group(s)`);
    for (const g of groups) {
      const source = g.source.startsWith(targetsDir) ? relative(targetsDir, g.source) : g.source;
      const labels = Object.entries(g.labels)
        .filter(([name]) => name !== '__meta_filepath')
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(', ');
      const addresses = g.targets.map((t) => t.__address__).join(' ');
      lines.push(`    ${source}: ${addresses} {${labels}}`);
    }
  }
  return lines;
}

/** Starts discovery and prints every target set; unsubscribe the result to stop all watches and timers. */
export function runDiscoveryOnly(options: DiscoveryOnlyOptions): Subscription {
  const targetsDir = resolve(options.targetsDir);
  let update = 0;
  return discoverTargets(of(exampleJobs()), {
    baseDir: targetsDir,
    ...(options.updateIntervalMs !== undefined ? { updateIntervalMs: options.updateIntervalMs } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  }).subscribe((sets) => {
    update++;
    for (const line of formatTargetSets(sets, targetsDir, update)) options.print(line);
  });
}

// Run as a program: print to stdout until Ctrl-C.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const targetsDir = process.argv[2] ?? fileURLToPath(new URL('../targets/', import.meta.url));
  const sub = runDiscoveryOnly({ targetsDir, print: (line) => console.log(line) });
  process.once('SIGINT', () => sub.unsubscribe());
  process.once('SIGTERM', () => sub.unsubscribe());
}
