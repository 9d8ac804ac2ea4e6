// Kubernetes SD against a fake cluster of 10,000 pods and 2,000 services + endpoints (5 pods each) on a
// loopback fake API server in the same process. Run with `pnpm bench kubernetes`. Measures:
//   1. time to the first full target set (pod role; endpoints role, which lists endpoints + services + pods);
//   2. retained heap per pod while subscribed (pod role, after GC);
//   3. CPU per 1,000 watch events (pod updates): process CPU with the discoverer watching, minus the fake
//      server's own CPU for the same updates streamed to a raw watch that only counts bytes.
import { request } from 'node:http';
import type { TargetGroup } from '@scrapewire/model';
import { FakeKubeApiServer, type FakeKubeObject } from '@scrapewire/test-utils';
import type { Observable, Subscription } from 'rxjs';
import { Bench } from 'tinybench';
import { kubernetesDiscoverer } from '../src/kubernetes/kubernetes-discoverer.js';
import { sdConfig } from '../src/kubernetes/test-harness.js';

const SERVICES = 2_000;
const PODS_PER_SERVICE = 5;
const EVENTS = 1_000;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function pod(s: number, i: number, version = 0): FakeKubeObject {
  return {
    metadata: {
      name: `app-${s}-${i}`,
      namespace: `ns-${s % 20}`,
      labels: { app: `app-${s}`, 'app.kubernetes.io/version': `v${version}`, 'pod-template-hash': 'abc123' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080' },
      ownerReferences: [{ kind: 'ReplicaSet', name: `app-${s}-abc123`, controller: true }],
    },
    spec: {
      nodeName: `node-${s % 50}`,
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/app:1.0',
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          ],
        },
        { name: 'sidecar', image: 'registry.example.com/proxy:2.0' },
      ],
    },
    status: {
      podIP: `10.${(s >> 8) & 255}.${s & 255}.${i + 1}`,
      hostIP: `192.168.${s % 50}.1`,
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'app', containerID: `containerd://${s}-${i}` }],
    },
  };
}

const api = await FakeKubeApiServer.start();
for (let s = 0; s < SERVICES; s++) {
  const ns = `ns-${s % 20}`;
  const addresses = [];
  for (let i = 0; i < PODS_PER_SERVICE; i++) {
    const p = api.create('pods', pod(s, i));
    addresses.push({
      ip: (p.status as { podIP: string }).podIP,
      nodeName: `node-${s % 50}`,
      targetRef: { kind: 'Pod', name: p.metadata.name, namespace: ns },
    });
  }
  api.create('services', {
    metadata: { name: `app-${s}`, namespace: ns, labels: { app: `app-${s}` } },
    spec: {
      type: 'ClusterIP',
      clusterIP: `10.96.${(s >> 8) & 255}.${s & 255}`,
      ports: [{ name: 'http', port: 80 }],
    },
  });
  api.create('endpoints', {
    metadata: { name: `app-${s}`, namespace: ns },
    subsets: [{ addresses, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
  });
}

/** Subscribes and resolves with the first batch and the live subscription. */
function firstBatch(
  groups$: Observable<TargetGroup[]>,
): Promise<{ batch: TargetGroup[]; sub: Subscription }> {
  return new Promise((resolve, reject) => {
    const sub: Subscription = groups$.subscribe({
      next: (batch) => {
        queueMicrotask(() => resolve({ batch, sub }));
      },
      error: reject,
    });
  });
}

// 1. Time to the first full target set.
const bench = new Bench({
  name: 'kubernetes SD: time to first full target set',
  iterations: 5,
  time: 0,
  warmup: false,
});
let targets = 0;
for (const role of ['pod', 'endpoints'] as const) {
  bench.add(`${role} role (10,000 pods, 2,000 services+endpoints)`, async () => {
    const { batch, sub } = await firstBatch(kubernetesDiscoverer(sdConfig(role, api.url)));
    targets = batch.reduce((n, g) => n + g.targets.length, 0);
    sub.unsubscribe();
  });
}
await bench.run();
console.log(bench.name);
console.table(
  bench.tasks.map((t) => {
    const r = t.result as {
      latency?: { mean: number; min: number; max: number };
      error?: unknown;
      state?: string;
    };
    if (!r.latency) return { task: t.name, 'mean ms': String(r.error ?? r.state) };
    return {
      task: t.name,
      'mean ms': r.latency.mean.toFixed(0),
      'min ms': r.latency.min.toFixed(0),
      'max ms': r.latency.max.toFixed(0),
    };
  }),
);
console.log(`(last run produced ${targets} targets)`);

// 2. Heap per pod.
gc();
gc();
const heapBefore = process.memoryUsage().heapUsed;
const { sub: podSub } = await firstBatch(kubernetesDiscoverer(sdConfig('pod', api.url)));
gc();
gc();
const heapAfter = process.memoryUsage().heapUsed;
const pods = SERVICES * PODS_PER_SERVICE;
console.log(
  `heap retained by a subscribed pod-role discoverer: ${((heapAfter - heapBefore) / 2 ** 20).toFixed(1)} MiB, ` +
    `${((heapAfter - heapBefore) / pods / 1024).toFixed(2)} KiB per pod (cache of parsed objects)`,
);
podSub.unsubscribe();

// 3. CPU per 1,000 watch events.
async function updateBurst(version: number, settle: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  for (let k = 0; k < EVENTS; k++) api.update('pods', pod(k % SERVICES, Math.floor(k / SERVICES), version));
  await settle();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
// Baseline: the fake server's cost of the same updates with a raw watch that only counts bytes, so the
// server's serialisation and socket writes are not charged to the discoverer.
let rawBytes = 0;
const raw = request(`${api.url}/api/v1/pods?watch=true&resourceVersion=${api.resourceVersion}`, (res) =>
  res.on('data', (c: Buffer) => {
    rawBytes += c.length;
  }),
);
raw.on('error', () => {});
raw.end();
await new Promise<void>((r) => setTimeout(r, 200));
const serverOnlyMs = await updateBurst(1, async () => {
  let last = -1;
  while (rawBytes !== last) {
    last = rawBytes;
    await new Promise((r) => setTimeout(r, 20));
  }
});
raw.destroy();

let seen = 0;
const watched = kubernetesDiscoverer(sdConfig('pod', api.url));
const { sub } = await firstBatch(watched);
sub.unsubscribe();
const live = watched.subscribe((batch) => {
  for (const g of batch)
    if (g.labels['__meta_kubernetes_pod_label_app_kubernetes_io_version'] === 'v2') seen++;
});
await new Promise<void>((r) => setTimeout(r, 200)); // let the first list and the watch settle
const withClientMs = await updateBurst(2, async () => {
  const deadline = Date.now() + 30_000;
  while (seen < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
});
live.unsubscribe();
console.log(
  `CPU for ${EVENTS} pod update events: ${withClientMs.toFixed(0)} ms with the discoverer, ` +
    `${serverOnlyMs.toFixed(0)} ms fake server + raw watch → ~${(withClientMs - serverOnlyMs).toFixed(0)} ms ` +
    `for the discoverer (${seen} groups rebuilt)`,
);
await api.close();
