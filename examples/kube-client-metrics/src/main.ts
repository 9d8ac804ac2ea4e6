// Runs the example against the cluster of your current kubeconfig context:
//   pnpm --filter @scrapewire/example-kube-client-metrics start
//   curl -s localhost:8080/metrics | grep rest_client_
import { KubeConfig } from '@kubernetes/client-node';
import { startApp } from './app.js';

const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
const app = await startApp({
  kubeConfig,
  port: Number(process.env.PORT ?? 8080),
  host: process.env.HOST ?? '127.0.0.1',
});
console.log(`serving ${app.url}/metrics and ${app.url}/pods`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
