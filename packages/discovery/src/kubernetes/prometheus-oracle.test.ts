/**
 * Oracle test: for every role, the targets our Kubernetes discoverer produces from a fake cluster must equal
 * the `discoveredLabels` a real Prometheus (Debian's 2.42) reports for the same cluster, served by the same
 * fake API server. Labels that only Prometheus 3.x produces are removed from our side before comparing
 * (listed in `ONLY_IN_3X` with the version that added them); the exact 3.x sets are pinned by role-*.test.ts.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesRole } from '@scrapewire/config';
import type { LabelSet } from '@scrapewire/model';
import { FakeKubeApiServer, findBinary, missingBinaryMessage } from '@scrapewire/test-utils';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesDiscoverer } from './kubernetes-discoverer.js';
import { sdConfig } from './test-harness.js';

const prometheus = findBinary('prometheus');
const promtool = findBinary('promtool');

/**
 * Debian builds Prometheus without Kubernetes SD (it strips the client-go dependency), so a binary on
 * PATH is not enough: ask promtool whether a kubernetes_sd_configs block parses.
 */
function supportsKubernetesSd(): boolean {
  if (!prometheus || !promtool) return false;
  const tmp = mkdtempSync(join(tmpdir(), 'sw-k8s-probe-'));
  try {
    const file = join(tmp, 'p.yml');
    writeFileSync(
      file,
      'scrape_configs:\n  - job_name: x\n    kubernetes_sd_configs:\n      - role: pod\n        api_server: http://127.0.0.1:1\n',
    );
    return spawnSync(promtool, ['check', 'config', file], { stdio: 'ignore' }).status === 0;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
const canRun = supportsKubernetesSd();
const ROLES: KubernetesRole[] = ['node', 'pod', 'service', 'endpoints', 'endpointslice', 'ingress'];

/** Labels Prometheus 2.42 does not produce, per role. */
const ONLY_IN_3X: Partial<Record<KubernetesRole, RegExp>> = {
  // node conditions: 3.12
  node: /^__meta_kubernetes_node_condition_/,
  // endpoints annotations: 2.49; init-container flag and init-container ports on endpoints targets: 3.x
  endpoints: /^__meta_kubernetes_endpoints_annotation|^__meta_kubernetes_pod_container_init$/,
  // slice labels/annotations: 2.49; endpoint node name and zone: 2.53
  endpointslice:
    /^__meta_kubernetes_endpointslice_(label|annotation)|^__meta_kubernetes_endpointslice_endpoint_(node_name|zone)$|^__meta_kubernetes_pod_container_init$/,
};

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const canonical = (sets: LabelSet[]) =>
  sets
    .map((l) => JSON.stringify(Object.fromEntries(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : 1)))))
    .sort();

/** A small cluster that exercises each role's address and label rules. */
function populate(api: FakeKubeApiServer): void {
  api.create('nodes', {
    metadata: { name: 'node-a', labels: { 'kubernetes.io/hostname': 'node-a' }, annotations: { 'x/y': 'z' } },
    spec: { providerID: 'kind://node-a' },
    status: {
      addresses: [
        { type: 'Hostname', address: 'node-a' },
        { type: 'InternalIP', address: '172.18.0.2' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  });
  api.create('nodes', {
    metadata: { name: 'node-b' },
    status: {
      addresses: [{ type: 'ExternalDNS', address: 'b.example.com' }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  });
  const appPod = (name: string, ip: string) => ({
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      labels: { app: 'web', 'app.kubernetes.io/name': 'web' },
      annotations: { 'prometheus.io/scrape': 'true' },
      ownerReferences: [
        { kind: 'ReplicaSet', name: 'web-7d9f', controller: true, apiVersion: 'apps/v1', uid: 'rs' },
      ],
    },
    spec: {
      nodeName: 'node-a',
      containers: [
        {
          name: 'web',
          image: 'nginx:1',
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9113, protocol: 'TCP' },
          ],
        },
        { name: 'log', image: 'busybox' },
      ],
    },
    status: {
      podIP: ip,
      hostIP: '172.18.0.2',
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        {
          name: 'web',
          containerID: `containerd://${name}`,
          ready: true,
          restartCount: 0,
          image: 'nginx:1',
          imageID: '',
        },
      ],
    },
  });
  api.create('pods', appPod('web-1', '10.244.0.11'));
  api.create('pods', appPod('web-2', '10.244.0.12'));
  api.create('pods', {
    metadata: { name: 'batch', namespace: 'jobs', uid: 'uid-batch' },
    spec: {
      nodeName: 'node-b',
      containers: [{ name: 'main', image: 'job:1' }],
      initContainers: [
        { name: 'migrate', image: 'mig:1', ports: [{ containerPort: 5432, protocol: 'TCP' }] },
      ],
    },
    status: {
      podIP: 'fd00::5',
      phase: 'Succeeded',
      initContainerStatuses: [
        {
          name: 'migrate',
          containerID: 'containerd://m',
          ready: false,
          restartCount: 0,
          image: '',
          imageID: '',
        },
      ],
    },
  });
  api.create('pods', {
    metadata: { name: 'pending', namespace: 'jobs' },
    spec: { containers: [{ name: 'c', image: 'c' }] },
    status: { phase: 'Pending' },
  });

  api.create('services', {
    metadata: { name: 'web', namespace: 'shop', labels: { tier: 'front' }, annotations: { 'a.b/c': 'd' } },
    spec: {
      type: 'NodePort',
      clusterIP: '10.96.1.1',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }],
    },
  });
  api.create('services', {
    metadata: { name: 'ext', namespace: 'shop' },
    spec: { type: 'ExternalName', externalName: 'db.example.com', ports: [{ port: 5432, protocol: 'TCP' }] },
  });
  api.create('services', {
    metadata: { name: 'headless', namespace: 'jobs' },
    spec: { type: 'ClusterIP', clusterIP: 'None' },
  });

  api.create('endpoints', {
    metadata: { name: 'web', namespace: 'shop', labels: { tier: 'front' } },
    subsets: [
      {
        addresses: [
          {
            ip: '10.244.0.11',
            nodeName: 'node-a',
            targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
          },
        ],
        notReadyAddresses: [
          {
            ip: '10.244.0.12',
            nodeName: 'node-a',
            targetRef: { kind: 'Pod', name: 'web-2', namespace: 'shop' },
          },
          { ip: '10.0.0.99', hostname: 'external' },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ],
  });
  api.create('endpointslices', {
    metadata: { name: 'web-abcde', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.244.0.11'],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'node-a',
        zone: 'z1',
        targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
      },
      {
        addresses: ['10.244.0.12'],
        conditions: { ready: false },
        hostname: 'web-2',
        deprecatedTopology: { 'kubernetes.io/hostname': 'node-a' },
      },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP', appProtocol: 'http' }],
  });
  api.create('endpointslices', {
    metadata: { name: 'orphan', namespace: 'jobs' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.1.1.1'] }],
    ports: [{ protocol: 'TCP' }],
  });
  api.create('ingresses', {
    metadata: { name: 'shop', namespace: 'shop', labels: { tier: 'edge' } },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['shop.example.com', '*.api.example.com'] }],
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
              {
                path: '/cart',
                pathType: 'Prefix',
                backend: { service: { name: 'web', port: { number: 80 } } },
              },
            ],
          },
        },
        {
          host: 'v1.api.example.com',
          http: {
            paths: [
              {
                path: '/v1',
                pathType: 'Prefix',
                backend: { service: { name: 'web', port: { number: 80 } } },
              },
            ],
          },
        },
        { host: 'plain.example.com' },
      ],
    },
  });
}

describe.skipIf(!canRun)(
  `kubernetes discovery vs Prometheus ${prometheus ? '(skipped: this prometheus build has no kubernetes_sd)' : missingBinaryMessage('prometheus')}`,
  () => {
    let dir: string;
    let api: FakeKubeApiServer;
    let proc: ChildProcess | undefined;
    let promUrl: string;

    beforeAll(async () => {
      api = await FakeKubeApiServer.start();
      populate(api);
      dir = await mkdtemp(join(tmpdir(), 'sw-k8s-oracle-'));
      const jobs = ROLES.map(
        (role) =>
          `  - job_name: ${role}\n    kubernetes_sd_configs:\n      - role: ${role}\n        api_server: ${api.url}\n`,
      ).join('');
      await writeFile(
        join(dir, 'prometheus.yml'),
        `global:\n  scrape_interval: 1h\n  scrape_timeout: 10s\nscrape_configs:\n${jobs}`,
      );
      const port = await freePort();
      promUrl = `http://127.0.0.1:${port}`;
      proc = spawn(
        prometheus!,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
        ],
        { stdio: 'ignore' },
      );
    });

    afterAll(async () => {
      if (proc && proc.exitCode === null) {
        const exited = new Promise((r) => proc!.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc!.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
      await api?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function prometheusDiscovered(
      expected: Record<string, number>,
    ): Promise<Record<string, LabelSet[]>> {
      const deadline = Date.now() + 45_000;
      let last = '';
      while (Date.now() < deadline) {
        try {
          const res = await fetch(`${promUrl}/api/v1/targets?state=any`);
          const body = (await res.json()) as {
            data: {
              activeTargets: { discoveredLabels: LabelSet }[];
              droppedTargets: { discoveredLabels: LabelSet }[];
            };
          };
          const out: Record<string, LabelSet[]> = {};
          for (const t of [...body.data.activeTargets, ...body.data.droppedTargets]) {
            const job = t.discoveredLabels.job!;
            out[job] = [...(out[job] ?? []), t.discoveredLabels];
          }
          if (Object.entries(expected).every(([job, n]) => out[job]?.length === n)) return out;
          last = JSON.stringify(Object.fromEntries(Object.entries(out).map(([j, l]) => [j, l.length])));
        } catch (err) {
          last = String(err);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`Prometheus did not discover the expected targets in time; last answer: ${last}`);
    }

    it('produces the discoveredLabels of Prometheus 2.42 for every role', { timeout: 60_000 }, async () => {
      const mine: Record<string, LabelSet[]> = {};
      const expected: Record<string, number> = {};
      for (const role of ROLES) {
        const groups = await firstValueFrom(kubernetesDiscoverer(sdConfig(role, api.url)));
        const drop = ONLY_IN_3X[role];
        mine[role] = groups.flatMap((g) =>
          g.targets.map((t) => {
            const merged: Record<string, string> = {
              job: role,
              __scheme__: 'http',
              __metrics_path__: '/metrics',
              __scrape_interval__: '1h',
              __scrape_timeout__: '10s',
              ...g.labels,
              ...t,
            };
            if (drop) for (const k of Object.keys(merged)) if (drop.test(k)) delete merged[k];
            return merged;
          }),
        );
        expected[role] = mine[role]!.length;
      }
      expect(expected).toEqual({ node: 2, pod: 8, service: 2, endpoints: 5, endpointslice: 4, ingress: 4 });
      const theirs = await prometheusDiscovered(expected);
      for (const role of ROLES) expect(canonical(mine[role]!), role).toEqual(canonical(theirs[role]!));
    });
  },
);
