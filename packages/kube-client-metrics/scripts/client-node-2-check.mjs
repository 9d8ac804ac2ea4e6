// Run by check-client-node-2.sh next to a bundle of this package (kcm.mjs) and of the test server (mini.mjs).
import { CoreV1Api } from '@kubernetes/client-node';
import { createKubeClientMetrics, instrumentKubeConfig } from './kcm.mjs';
import { startMiniKubeApi } from './mini.mjs';
const api = await startMiniKubeApi();
const host = new URL(api.url).host;
const seen = [];
const metrics = createKubeClientMetrics();
metrics.register({
  requestResult: { increment: (c, m, h) => seen.push(`result ${c} ${m} ${h === host ? 'HOST' : h}`) },
  requestLatency: { observe: (v, u) => seen.push(`latency ${v} ${u.replace(api.url, '')}`) },
});
const k8s = instrumentKubeConfig(api.kubeConfig(), { metrics });
const core = k8s.makeApiClient(CoreV1Api);
await core.readNamespacedPod({ name: 'p1', namespace: 'default' });
await core.listNamespacedPod({ namespace: 'default' });
await core
  .readNamespacedPod({ name: 'missing', namespace: 'default' })
  .catch((e) => seen.push(`caught ${e.code}`));
await core.listNamespacedPod({ namespace: 'reset' }).catch(() => seen.push('caught reset'));
const inf = k8s.makeInformer('/api/v1/namespaces/default/pods', () =>
  core.listNamespacedPod({ namespace: 'default' }),
);
await inf.start();
await api.waitForOpenWatches(1);
await inf.stop();
await api.waitForOpenWatches(0);
const f = await new Promise((r) =>
  k8s.createWatch().watch('/api/v1/namespaces/forbidden/pods', {}, () => {}, r),
);
seen.push(`watch done ${f?.statusCode}`);
console.log(seen.join('\n'));
await api.close();
