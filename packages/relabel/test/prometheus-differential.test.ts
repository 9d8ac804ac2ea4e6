/**
 * Differential test against a real Prometheus (Debian's 2.42): the same discovered targets and relabel
 * chains go through Prometheus (file_sd + relabel_configs, read back from /api/v1/targets) and through
 * `targetsFromGroup`, and every active and dropped target must agree. The documented 2.42-vs-3.x
 * differences are encoded explicitly below (see `as242`), never papered over by loosening the comparison.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, missingBinaryMessage, freePort } from '@scrapewire/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileRelabelConfigs,
  DEFAULT_RELABEL_CONFIG,
  publicTargetLabels,
  type RelabelConfig,
  type TargetLabelOptions,
  targetScrapeUrl,
  targetsFromGroup,
} from '../src/index.js';
import {
  type FileSdGroup,
  Gen,
  generateChain,
  generateGroups,
  isFilter,
  prng,
  toPrometheusRule,
} from './generate.js';

const bin = findBinary('prometheus');
const JOBS = 20;
const GROUPS_PER_JOB = 20;

interface Job {
  name: string;
  rules: RelabelConfig[];
  groups: FileSdGroup[];
  file: string;
  params: Record<string, string[]>;
}

interface ApiTarget {
  discoveredLabels: Record<string, string>;
  labels?: Record<string, string>;
  scrapePool?: string;
  scrapeUrl?: string;
}

const HISTOGRAM_LABELS = [
  '__convert_classic_histograms_to_nhcb__',
  '__always_scrape_classic_histograms__',
  '__scrape_native_histograms__',
];

/**
 * Prometheus 2.42 differences, applied to our 3.x side so that both should agree exactly:
 * 1. Anchoring: 2.42 compiles `^(?:re)$`, where `.` does not match `\n`; 3.x `^(?s:re)$`. We wrap value
 *    regexes in `(?-s:…)`, which turns 3.x anchoring into 2.42's.
 * 2. `__param_<k>`: 2.42 overwrites a discovered `__param_<k>` with the job's `params` (prometheus#11029);
 *    3.x keeps it. We overwrite it in the discovered input.
 * 3. Default ports: 2.42 appends `:80` (http or empty scheme) or `:443` (https) to a port-less address
 *    after relabeling, before `instance` defaults to it; 3.x never does. We append two rules that do it.
 * 4. 3.13+ adds the three `__*histograms*__` labels to discovered labels; 2.42 has none. We remove them
 *    from our discovered labels.
 * 5. 2.42 keeps labels whose value is empty in discovered (and public) labels; 3.x drops them at once. We
 *    drop them from Prometheus's answer.
 * 6. 2.42's relabeling writes its result into the array holding the discovered labels (fixed in later
 *    releases), so the targets API shows corrupted `discoveredLabels` whenever a rule changed a label. We
 *    compare `discoveredLabels` only for jobs whose rules never change a label (every fourth job); for
 *    the others we compare public labels, URLs and the number of dropped targets.
 * 7. replace with a templated target: where the expansion is empty or invalid, 2.42 deletes the literal
 *    target name, 3.x does nothing or deletes the expanded name. The generator gives templated targets
 *    non-empty replacements, which makes both behave the same.
 */
function as242Rules(rules: readonly RelabelConfig[]): RelabelConfig[] {
  const valueActions = new Set(['replace', 'keep', 'drop']);
  const out = rules.map((rule) =>
    valueActions.has(rule.action) && rule.regex.includes('.')
      ? { ...rule, regex: `(?-s:${rule.regex})` }
      : rule,
  );
  const r = (x: Partial<RelabelConfig>): RelabelConfig => ({ ...DEFAULT_RELABEL_CONFIG, ...x });
  // Go's net.SplitHostPort fails without a port; these add one exactly where 2.42's addPort would.
  for (const [scheme, port] of [
    ['http|', '80'],
    ['https', '443'],
  ] as const) {
    out.push(
      r({
        sourceLabels: ['__address__', '__scheme__'],
        regex: `([^:\\[\\]/]+);(?:${scheme})`,
        targetLabel: '__address__',
        replacement: `$1:${port}`,
      }),
      r({
        sourceLabels: ['__address__', '__scheme__'],
        regex: `(\\[[^\\]]*\\]);(?:${scheme})`,
        targetLabel: '__address__',
        replacement: `$1:${port}`,
      }),
    );
  }
  return out;
}

function withoutEmpty(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ''));
}

function key(o: Record<string, unknown>): string {
  return JSON.stringify(o, Object.keys(o).sort());
}

function canonical(o: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1))));
}

describe.skipIf(!bin)(
  `relabeling agrees with Prometheus 2.42 ${bin ? '' : missingBinaryMessage('prometheus')}`,
  () => {
    let dir = '';
    let proc: ChildProcess | undefined;
    let port = 0;
    let stderr = '';
    const g = new Gen(prng(20261121));
    const jobs: Job[] = [];
    const options = (job: Job): TargetLabelOptions => ({
      jobName: job.name,
      scrapeIntervalMs: 3_600_000,
      scrapeTimeoutMs: 10_000,
      metricsPath: '/metrics',
      scheme: 'http',
      params: job.params,
    });

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'sw-relabel-diff-'));
      for (let j = 0; j < JOBS; j++) {
        const params: Record<string, string[]> =
          j % 3 === 0 ? { module: ['http_2xx', 'second'], 'a b': ['c d'] } : {};
        const job: Job = {
          name: `job${j}`,
          rules: generateChain(g, j % 4 === 1),
          groups: generateGroups(g, j, GROUPS_PER_JOB),
          file: join(dir, `targets-${j}.json`),
          params,
        };
        writeFileSync(job.file, JSON.stringify(job.groups));
        jobs.push(job);
      }
      const config = {
        global: { scrape_interval: '1h', scrape_timeout: '10s' },
        scrape_configs: jobs.map((job) => ({
          job_name: job.name,
          params: Object.keys(job.params).length > 0 ? job.params : undefined,
          file_sd_configs: [{ files: [job.file] }],
          relabel_configs: job.rules.map(toPrometheusRule),
        })),
      };
      writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 1));
      port = await freePort();
      proc = spawn(
        bin!,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      proc.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
    });

    afterAll(async () => {
      if (proc && proc.exitCode === null) {
        const exited = new Promise((resolve) => proc?.once('exit', resolve));
        proc.kill('SIGKILL');
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** Our expectation per job: active targets (labels, discovered, URL) and dropped targets. */
    function ours(job: Job): { active: string[]; dropped: string[] } {
      const trustDiscovered = job.rules.every(isFilter);
      const rules = compileRelabelConfigs(as242Rules(job.rules), { nameValidationScheme: 'legacy' });
      const active = new Set<string>();
      const dropped: string[] = [];
      job.groups.forEach((group, gi) => {
        const labels: Record<string, string> = { ...group.labels, __meta_filepath: job.file };
        for (const k of Object.keys(job.params)) labels[`__param_${k}`] = job.params[k]![0]!;
        const results = targetsFromGroup(
          { source: `${job.file}:${gi}`, labels, targets: group.targets.map((a) => ({ __address__: a })) },
          options(job),
          rules,
        );
        for (const res of results) {
          if (res.kind === 'failed') continue;
          const disc = res.discoveredLabels.without(...HISTOGRAM_LABELS).toObject();
          if (res.kind === 'dropped') {
            dropped.push(trustDiscovered ? canonical(disc) : 'dropped');
            continue;
          }
          active.add(
            key({
              discoveredLabels: trustDiscovered ? canonical(disc) : undefined,
              labels: canonical(publicTargetLabels(res.labels).toObject()),
              scrapeUrl: targetScrapeUrl(res.labels, job.params),
            }),
          );
        }
      });
      return { active: [...active].sort(), dropped: dropped.sort() };
    }

    it('produces the same active and dropped targets for every job', async () => {
      const expected = new Map(jobs.map((j) => [j.name, ours(j)]));
      const expectedCount = [...expected.values()].reduce(
        (n, e) => n + e.active.length + e.dropped.length,
        0,
      );
      expect(expectedCount).toBeGreaterThan(JOBS * 4);

      // Poll until Prometheus has synced every job (its scrape manager reloads every 5s), bounded.
      let data: { activeTargets: ApiTarget[]; droppedTargets: ApiTarget[] } | undefined;
      const deadline = Date.now() + 40_000;
      let lastCount = -1;
      let stableSince = Date.now();
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/targets?state=any`);
          if (res.ok) {
            data = ((await res.json()) as { data: typeof data }).data;
            const pools = new Set(
              [...data!.activeTargets, ...data!.droppedTargets].map(
                (t) => t.scrapePool ?? t.discoveredLabels.job,
              ),
            );
            const count = data!.activeTargets.length + data!.droppedTargets.length;
            if (count !== lastCount) {
              lastCount = count;
              stableSince = Date.now();
            }
            if (
              pools.size >=
                jobs.filter(
                  (j) => expected.get(j.name)!.active.length + expected.get(j.name)!.dropped.length > 0,
                ).length &&
              Date.now() - stableSince > 6_000
            )
              break;
          }
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(data, `prometheus did not answer; stderr:\n${stderr}`).toBeDefined();

      for (const job of jobs) {
        const trustDiscovered = job.rules.every(isFilter);
        const theirsActive = new Set<string>();
        for (const t of data!.activeTargets.filter((t) => t.scrapePool === job.name)) {
          theirsActive.add(
            key({
              discoveredLabels: trustDiscovered ? canonical(withoutEmpty(t.discoveredLabels)) : undefined,
              labels: canonical(withoutEmpty(t.labels ?? {})),
              scrapeUrl: t.scrapeUrl,
            }),
          );
        }
        // 2.42 lists dropped targets without their pool; `__meta_filepath` (never touched by our rules)
        // tells the jobs apart.
        const theirsDropped = data!.droppedTargets
          .filter((t) => t.discoveredLabels.__meta_filepath === job.file)
          .map((t) => (trustDiscovered ? canonical(withoutEmpty(t.discoveredLabels)) : 'dropped'))
          .sort();
        const want = expected.get(job.name)!;
        const rules = JSON.stringify(job.rules.map(toPrometheusRule));
        expect([...theirsActive].sort(), `active targets of ${job.name}, rules ${rules}`).toEqual(
          want.active,
        );
        expect(theirsDropped, `dropped targets of ${job.name}, rules ${rules}`).toEqual(want.dropped);
      }
    }, 60_000);
  },
);
