/**
 * How long a reload takes to parse and validate: a realistic Kubernetes config (3 jobs, 13 relabel
 * rules) and a large generated one (500 static jobs with 4 relabel rules each, ~12k lines).
 * Run: pnpm bench config
 *
 * - loadConfig: YAML text → validated, frozen PrometheusConfig;
 * - yaml.parse only: the `yaml` package's plain parse of the same text, the floor under loadConfig;
 * - dumpConfigYaml: the redacted status dump of the loaded config.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { parse } from 'yaml';
import { dumpConfigYaml, loadConfig } from '../src/index.js';

const k8s = readFileSync(
  join(import.meta.dirname, '..', 'test', 'fixtures', 'kubernetes-pods.good.yml'),
  'utf8',
);

function largeConfig(jobs: number): string {
  let out = 'global:\n  scrape_interval: 30s\n  external_labels: {cluster: bench}\nscrape_configs:\n';
  for (let i = 0; i < jobs; i++) {
    out += `  - job_name: job-${i}
    scrape_interval: 15s
    basic_auth: {username: u${i}, password: p${i}}
    static_configs:
      - targets: ['host-${i}-a:9100', 'host-${i}-b:9100', 'host-${i}-c:9100']
        labels: {team: t${i % 10}, env: prod}
    relabel_configs:
      - source_labels: [__address__]
        regex: '([^:]+):\\d+'
        target_label: host
      - source_labels: [team]
        regex: t1|t2
        action: drop
      - action: labelmap
        regex: __meta_(.+)
      - source_labels: [__address__]
        modulus: 8
        target_label: __tmp_shard
        action: hashmod
`;
  }
  return out;
}

const large = largeConfig(500);
const largeConfigLoaded = loadConfig(large);

const bench = new Bench({ time: 2000 });
bench
  .add('loadConfig: kubernetes pods (3 jobs)', () => {
    loadConfig(k8s);
  })
  .add('yaml.parse only: kubernetes pods', () => {
    parse(k8s);
  })
  .add(`loadConfig: 500 static jobs (${large.split('\n').length} lines)`, () => {
    loadConfig(large);
  })
  .add('yaml.parse only: 500 static jobs', () => {
    parse(large);
  })
  .add('dumpConfigYaml: 500 static jobs', () => {
    dumpConfigYaml(largeConfigLoaded);
  });

await bench.run();
console.table(
  bench.tasks.map((t) => {
    const r = t.result as
      | { latency?: { mean: number; p99?: number }; throughput?: { mean: number } }
      | undefined;
    return {
      task: t.name,
      'mean ms': r?.latency?.mean.toFixed(3),
      'p99 ms': r?.latency?.p99?.toFixed(3),
      'ops/s': r?.throughput?.mean.toFixed(1),
    };
  }),
);
