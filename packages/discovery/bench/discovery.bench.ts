/**
 * Benchmarks of the non-Kubernetes discovery paths: reading file_sd files, diffing a refresh, and the
 * manager's cost per provider update (state update + full target-set snapshot).
 *
 * Run: `pnpm bench discovery.bench` from the repo root.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetGroup } from '@scrapewire/model';
import { Subject, of, queueScheduler } from 'rxjs';
import { Bench } from 'tinybench';
import { stringify } from 'yaml';
import {
  type DiscoveryJob,
  createDiscovererRegistry,
  discoverTargets,
  readTargetGroupFile,
} from '../src/index.js';
import { GroupTracker } from '../src/group-tracker.js';

const GROUPS = 1000;
const PER_GROUP = 10;

function fileGroups() {
  return Array.from({ length: GROUPS }, (_, g) => ({
    targets: Array.from({ length: PER_GROUP }, (_, t) => `10.${g >> 8}.${g & 255}.${t}:9100`),
    labels: { team: `team-${g % 17}`, env: g % 2 ? 'prod' : 'dev', zone: `z${g % 3}` },
  }));
}

function targetGroups(version: number): TargetGroup[] {
  return fileGroups().map((g, i) => ({
    source: `/etc/sd/targets.json:${i}`,
    targets: g.targets.map((a) => ({ __address__: a })),
    labels: { ...g.labels, v: String(version) },
  }));
}

const dir = await mkdtemp(join(tmpdir(), 'sw-sd-bench-'));
const jsonPath = join(dir, 'targets.json');
const yamlPath = join(dir, 'targets.yml');
await writeFile(jsonPath, JSON.stringify(fileGroups()));
await writeFile(yamlPath, stringify(fileGroups()));

// Manager: 10 jobs share one provider holding 1,000 groups; each update changes one group.
const updates = new Subject<TargetGroup[]>();
const registry = createDiscovererRegistry().register('file', () => updates);
const jobs: DiscoveryJob[] = Array.from({ length: 10 }, (_, i) => ({
  jobName: `job-${i}`,
  serviceDiscovery: {
    staticConfigs: [],
    fileSdConfigs: [{ files: ['/etc/sd/*.json'], refreshIntervalMs: 300_000 }],
    httpSdConfigs: [],
    kubernetesSdConfigs: [],
  },
}));
let emitted = 0;
// queueScheduler + updateIntervalMs 0: every update is sent synchronously, so one iteration measures one
// update through to one emitted target set.
const sub = discoverTargets(of(jobs), { registry, scheduler: queueScheduler, updateIntervalMs: 0 }).subscribe(
  () => emitted++,
);
updates.next(targetGroups(0));
let n = 0;

const unchanged = targetGroups(0);
const tracker = new GroupTracker();
tracker.update(unchanged);

const bench = new Bench({ time: 2000 });
bench
  .add(`file_sd: read + parse JSON (${GROUPS} groups × ${PER_GROUP} targets)`, async () => {
    await readTargetGroupFile(jsonPath);
  })
  .add(`file_sd: read + parse YAML (${GROUPS} groups × ${PER_GROUP} targets)`, async () => {
    await readTargetGroupFile(yamlPath);
  })
  .add(`refresh diff: ${GROUPS} unchanged groups`, () => {
    if (tracker.update(unchanged) !== undefined) throw new Error('expected no change');
  })
  .add(`manager: one changed group → target sets for 10 jobs × ${GROUPS} groups`, () => {
    n++;
    updates.next([{ source: '/etc/sd/targets.json:0', targets: [{ __address__: `x:${n}` }], labels: {} }]);
  });

await bench.run();
console.table(bench.table());
console.log(`manager emissions: ${emitted}`);
sub.unsubscribe();
await rm(dir, { recursive: true, force: true });
