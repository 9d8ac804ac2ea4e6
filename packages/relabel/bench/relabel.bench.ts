/**
 * Targets per second through a typical Kubernetes pod relabel chain (11 rules) over ~40 meta labels.
 * Run: pnpm bench relabel
 *
 * - relabel: `relabel()` alone on the discovered labels;
 * - populateTargetLabels: the full target construction (defaults, relabeling, checks, meta deletion);
 * - *, RE2 only: the same chain with every regex wrapped in `(?:…)`, which defeats the string fast paths
 *   (`(.*)`, literals, alternations, `prefix(.+)`), to show what they are worth.
 *
 * Besides tinybench's wall-clock table it prints targets per CPU-second (process.cpuUsage around a fixed
 * loop), which stays meaningful on a loaded machine where wall-clock figures mostly measure the load.
 */
import { Labels } from '@scrapewire/model';
import { Bench } from 'tinybench';
import {
  compileRelabelConfigs,
  DEFAULT_RELABEL_CONFIG,
  populateTargetLabels,
  type RelabelConfig,
  relabel,
  type TargetLabelOptions,
} from '../src/index.js';

const r = (x: Partial<RelabelConfig>): RelabelConfig => ({ ...DEFAULT_RELABEL_CONFIG, ...x });

const chain: RelabelConfig[] = [
  r({
    sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
    regex: 'true',
    action: 'keep',
  }),
  r({ sourceLabels: ['__meta_kubernetes_pod_phase'], regex: 'Succeeded|Failed', action: 'drop' }),
  r({
    sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_path'],
    regex: '(.+)',
    targetLabel: '__metrics_path__',
  }),
  r({
    sourceLabels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
    regex: '([^:]+)(?::\\d+)?;(\\d+)',
    replacement: '$1:$2',
    targetLabel: '__address__',
  }),
  r({ regex: '__meta_kubernetes_pod_label_(.+)', action: 'labelmap' }),
  r({ sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' }),
  r({ sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'pod' }),
  r({ sourceLabels: ['__meta_kubernetes_pod_container_name'], targetLabel: 'container' }),
  r({ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }),
  r({ sourceLabels: ['__address__'], action: 'hashmod', modulus: 4, targetLabel: '__tmp_hash' }),
  r({ sourceLabels: ['__tmp_hash'], regex: '0|1|2|3', action: 'keep' }),
];
const re2Only = chain.map((rule) => ({ ...rule, regex: `(?:${rule.regex})` }));

function pod(i: number): Labels {
  const o: Record<string, string> = {
    __address__: `10.1.${(i >> 8) & 255}.${i & 255}:8080`,
    __meta_kubernetes_namespace: `team-${i % 17}`,
    __meta_kubernetes_pod_name: `api-7f9c${i}-x2v${i % 97}`,
    __meta_kubernetes_pod_uid: `5f1c2a8e-1b7d-4e0a-9c1e-${String(i).padStart(12, '0')}`,
    __meta_kubernetes_pod_ip: `10.1.${(i >> 8) & 255}.${i & 255}`,
    __meta_kubernetes_pod_ready: 'true',
    __meta_kubernetes_pod_phase: i % 50 === 0 ? 'Succeeded' : 'Running',
    __meta_kubernetes_pod_node_name: `node-${i % 31}`,
    __meta_kubernetes_pod_host_ip: `192.168.0.${i % 31}`,
    __meta_kubernetes_pod_controller_kind: 'ReplicaSet',
    __meta_kubernetes_pod_controller_name: `api-7f9c${i % 13}`,
    __meta_kubernetes_pod_container_name: 'api',
    __meta_kubernetes_pod_container_image: 'registry.example/api:1.2.3',
    __meta_kubernetes_pod_container_init: 'false',
    __meta_kubernetes_pod_container_id: `containerd://${'ab'.repeat(32)}`,
    __meta_kubernetes_pod_container_port_name: 'metrics',
    __meta_kubernetes_pod_container_port_number: '8080',
    __meta_kubernetes_pod_container_port_protocol: 'TCP',
    __meta_kubernetes_pod_annotation_prometheus_io_scrape: i % 10 === 0 ? 'false' : 'true',
    __meta_kubernetes_pod_annotationpresent_prometheus_io_scrape: 'true',
    __meta_kubernetes_pod_annotation_prometheus_io_port: '9102',
    __meta_kubernetes_pod_annotationpresent_prometheus_io_port: 'true',
    __meta_kubernetes_pod_annotation_prometheus_io_path: '/metrics',
    __meta_kubernetes_pod_annotationpresent_prometheus_io_path: 'true',
    __meta_kubernetes_pod_annotation_kubectl_kubernetes_io_restartedAt: '2026-11-01T10:00:00Z',
    __meta_kubernetes_pod_annotationpresent_kubectl_kubernetes_io_restartedAt: 'true',
  };
  for (const [k, v] of [
    ['app', 'api'],
    ['app_kubernetes_io_name', 'api'],
    ['app_kubernetes_io_instance', `api-${i % 5}`],
    ['app_kubernetes_io_version', '1.2.3'],
    ['pod_template_hash', `7f9c${i % 13}`],
    ['tier', 'backend'],
    ['team', `team-${i % 17}`],
  ]) {
    o[`__meta_kubernetes_pod_label_${k}`] = v!;
    o[`__meta_kubernetes_pod_labelpresent_${k}`] = 'true';
  }
  return Labels.from(o);
}

const pods = Array.from({ length: 2000 }, (_, i) => pod(i));
const options: TargetLabelOptions = {
  jobName: 'kubernetes-pods',
  scrapeIntervalMs: 30_000,
  scrapeTimeoutMs: 10_000,
  metricsPath: '/metrics',
  scheme: 'http',
};
console.log(
  `meta labels per pod: ${pods[0]!.size}, rules: ${chain.length}, pods per iteration: ${pods.length}`,
);

let sink = 0;
const bench = new Bench({ time: 2000, warmup: true });
for (const [name, rules] of [
  ['', compileRelabelConfigs(chain)],
  [', RE2 only', compileRelabelConfigs(re2Only)],
] as const) {
  bench.add(`relabel${name}`, () => {
    for (const p of pods) sink += relabel(p, rules)?.size ?? 0;
  });
  bench.add(`populateTargetLabels${name}`, () => {
    for (const p of pods) sink += populateTargetLabels(p, options, rules).kind.length;
  });
}
await bench.run();
console.table(
  bench.tasks.map((t) => {
    const mean = t.result && 'latency' in t.result ? t.result.latency.mean : Number.NaN;
    return {
      task: t.name,
      'targets/s': Math.round((pods.length / mean) * 1000),
      'ms/iteration': mean.toFixed(2),
    };
  }),
);

const cpuRows = bench.tasks.map((t) => {
  const fn = t.name;
  const rules = compileRelabelConfigs(fn.includes('RE2') ? re2Only : chain);
  const run = fn.startsWith('relabel')
    ? () => {
        for (const p of pods) sink += relabel(p, rules)?.size ?? 0;
      }
    : () => {
        for (const p of pods) sink += populateTargetLabels(p, options, rules).kind.length;
      };
  for (let i = 0; i < 5; i++) run();
  const rounds = 40;
  const start = process.cpuUsage();
  for (let i = 0; i < rounds; i++) run();
  const used = process.cpuUsage(start);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { task: fn, 'targets per CPU-second': Math.round((rounds * pods.length) / cpuSeconds) };
});
console.table(cpuRows);
if (sink === 42) console.log('');
