import { FakeKubeApiServer } from '@scrapewire/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesDiscoverer } from './kubernetes-discoverer.js';
import { matchesHostnamePattern } from './role-ingress.js';
import { GroupCollector, sdConfig } from './test-harness.js';

let api: FakeKubeApiServer;
let collector: GroupCollector | undefined;
beforeAll(async () => {
  api = await FakeKubeApiServer.start();
});
afterEach(() => collector?.unsubscribe());
afterAll(() => api.close());

const M = '__meta_kubernetes_';

describe('ingress role (labels as Prometheus 3.x)', () => {
  it('one target per rule and path; https for TLS hosts and one-level wildcards', async () => {
    api.create('ingresses', {
      metadata: { name: 'shop', namespace: 'web', labels: { tier: 'edge' }, annotations: { 'a/b': 'c' } },
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: ['secure.example.com', '*.wild.example.com'] }],
        rules: [
          { host: 'secure.example.com', http: { paths: [{ path: '/api' }, { path: '' }] } },
          { host: 'plain.example.com' },
          { host: 'a.wild.example.com', http: { paths: [{ path: '/x' }] } },
          { host: 'a.b.wild.example.com', http: { paths: [{ path: '/y' }] } },
        ],
      },
    });
    collector = new GroupCollector(kubernetesDiscoverer(sdConfig('ingress', api.url)));
    await collector.first();
    const g = collector.latest.get('ingress/web/shop')!;
    expect(g.labels).toEqual({
      [`${M}namespace`]: 'web',
      [`${M}ingress_name`]: 'shop',
      [`${M}ingress_class_name`]: 'nginx',
      [`${M}ingress_label_tier`]: 'edge',
      [`${M}ingress_labelpresent_tier`]: 'true',
      [`${M}ingress_annotation_a_b`]: 'c',
      [`${M}ingress_annotationpresent_a_b`]: 'true',
    });
    const t = (host: string, scheme: string, path: string) => ({
      __address__: host,
      [`${M}ingress_scheme`]: scheme,
      [`${M}ingress_host`]: host,
      [`${M}ingress_path`]: path,
    });
    expect(g.targets).toEqual([
      t('secure.example.com', 'https', '/api'),
      t('secure.example.com', 'https', '/'),
      t('plain.example.com', 'http', '/'),
      t('a.wild.example.com', 'https', '/x'),
      t('a.b.wild.example.com', 'http', '/y'),
    ]);
  });

  it('matches hostname patterns like Prometheus', () => {
    expect(matchesHostnamePattern('*.example.com', 'a.example.com')).toBe(true);
    expect(matchesHostnamePattern('*.example.com', 'example.com')).toBe(false);
    expect(matchesHostnamePattern('a.example.com', 'a.example.com')).toBe(true);
    expect(matchesHostnamePattern('b.*.com', 'b.x.com')).toBe(false);
  });
});
