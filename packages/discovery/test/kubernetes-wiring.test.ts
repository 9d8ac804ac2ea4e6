/**
 * The default registry runs Kubernetes SD under the manager: the job's targets follow the (fake) API
 * server, Kubernetes events reach `DiscoveryMetrics`, and unsubscribing closes the watches.
 */
import type { KubernetesSDConfig } from '@scrapewire/config';
import type { TargetSets } from '@scrapewire/model';
import { FakeKubeApiServer } from '@scrapewire/test-utils';
import { of } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DiscoveryJob, discoverTargets, noopDiscoveryMetrics } from '../src/index.js';

describe('Kubernetes SD through discoverTargets', () => {
  let api: FakeKubeApiServer;
  beforeAll(async () => {
    api = await FakeKubeApiServer.start();
    api.create('nodes', {
      metadata: { name: 'n1' },
      status: { addresses: [{ type: 'InternalIP', address: '10.9.9.1' }] },
    });
  });
  afterAll(() => api.close());

  it('should follow the API server, report events and close its watches on unsubscribe', async () => {
    const config: KubernetesSDConfig = {
      role: 'node',
      apiServer: api.url,
      namespaces: { ownNamespace: false, names: [] },
      selectors: [],
      attachMetadata: { node: false, namespace: false },
      httpClient: {
        tlsConfig: { insecureSkipVerify: false },
        proxyFromEnvironment: false,
        proxyConnectHeader: {},
        httpHeaders: {},
        followRedirects: true,
        enableHttp2: true,
      },
    };
    const jobs: DiscoveryJob[] = [
      {
        jobName: 'nodes',
        serviceDiscovery: {
          staticConfigs: [],
          fileSdConfigs: [],
          httpSdConfigs: [],
          kubernetesSdConfigs: [config],
        },
      },
    ];
    const metrics = { ...noopDiscoveryMetrics, incKubernetesEvents: vi.fn() };
    const seen: TargetSets[] = [];
    const sub = discoverTargets(of(jobs), { metrics, updateIntervalMs: 0 }).subscribe((s) => seen.push(s));
    const addresses = () =>
      (seen.at(-1)?.get('nodes') ?? []).flatMap((g) => g.targets.map((t) => t.__address__!.split(':')[0]));
    const until = async (ok: () => boolean, what: string) => {
      const deadline = Date.now() + 5000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    try {
      await until(() => addresses().includes('10.9.9.1'), 'the first node');
      api.create('nodes', {
        metadata: { name: 'n2' },
        status: { addresses: [{ type: 'InternalIP', address: '10.9.9.2' }] },
      });
      await until(() => addresses().includes('10.9.9.2'), 'the second node');
      expect(metrics.incKubernetesEvents).toHaveBeenCalledWith('node', 'add');
      expect(api.openWatches).toBeGreaterThan(0);
    } finally {
      sub.unsubscribe();
    }
    await until(() => api.openWatches === 0, 'the watches to close');
  });
});
