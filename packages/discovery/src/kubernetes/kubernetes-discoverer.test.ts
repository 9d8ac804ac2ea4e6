import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HttpClientConfig, Secret } from '@scrapewire/config';
import { InvalidOptionsError } from '@scrapewire/model';
import { FakeKubeApiServer } from '@scrapewire/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfigForUrl } from './kube-connection.js';
import { kubernetesDiscoverer } from './kubernetes-discoverer.js';
import { urlTemplate } from './metrics.js';
import { GroupCollector, PLAIN_HTTP_CLIENT, sdConfig, until } from './test-harness.js';

let api: FakeKubeApiServer;
let collector: GroupCollector | undefined;
const dir = mkdtempSync(join(tmpdir(), 'sw-k8s-'));

beforeAll(async () => {
  api = await FakeKubeApiServer.start();
  api.create('nodes', {
    metadata: { name: 'n1' },
    status: { addresses: [{ type: 'InternalIP', address: '10.9.9.9' }] },
  });
  for (const [name, app, node] of [
    ['web-1', 'web', 'n1'],
    ['web-2', 'web', 'n2'],
    ['db-1', 'db', 'n1'],
  ] as const) {
    api.create('pods', {
      metadata: { name, namespace: name === 'db-1' ? 'data' : 'apps', labels: { app } },
      spec: { nodeName: node, containers: [{ name: 'c' }] },
      status: { podIP: '10.0.0.1', phase: 'Running' },
    });
  }
});
afterEach(() => collector?.unsubscribe());
afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const sources = (c: GroupCollector) => [...c.latest.keys()].sort();

describe('kubernetesDiscoverer configuration', () => {
  it('sends label and field selectors on both list and watch', async () => {
    const since = api.requests.length;
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url, {
          selectors: [{ role: 'pod', label: 'app=web', field: 'spec.nodeName=n1' }],
        }),
      ),
    );
    await collector.first();
    expect(sources(collector)).toEqual(['pod/apps/web-1']);
    await until(() => api.requests.slice(since).some((r) => r.query.watch === 'true'));
    for (const r of api.requests.slice(since)) {
      expect(r.query).toMatchObject({ labelSelector: 'app=web', fieldSelector: 'spec.nodeName=n1' });
    }
  });

  it('watches one collection per listed namespace', async () => {
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url, { namespaces: { ownNamespace: false, names: ['data', 'apps'] } }),
      ),
    );
    await collector.first();
    expect(sources(collector)).toEqual(['pod/apps/web-1', 'pod/apps/web-2', 'pod/data/db-1']);
  });

  it('own_namespace uses the namespace of the kubeconfig context', async () => {
    const kc = await kubeConfigForUrl(api.url);
    kc.contexts = kc.contexts.map((c) => ({ ...c, namespace: 'data' }));
    collector = new GroupCollector(
      kubernetesDiscoverer(sdConfig('pod', '', { namespaces: { ownNamespace: true, names: [] } }), {
        kubeConfig: kc,
      }),
    );
    await collector.first();
    expect(sources(collector)).toEqual(['pod/data/db-1']);
  });

  it('own_namespace without a known namespace errors the stream', async () => {
    collector = new GroupCollector(
      kubernetesDiscoverer(sdConfig('pod', api.url, { namespaces: { ownNamespace: true, names: [] } })),
    );
    await expect(collector.first()).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('api_server with bearer authorization (inline and file) and basic auth', async () => {
    writeFileSync(join(dir, 'token'), 'file-token\n');
    const cases = [
      { authorization: { type: 'Bearer', credentials: { inline: new Secret('tok') } }, want: 'Bearer tok' },
      {
        authorization: { type: 'Bearer', credentials: { file: join(dir, 'token') } },
        want: 'Bearer file-token',
      },
      {
        basicAuth: { username: 'u', password: { inline: new Secret('p') } },
        want: `Basic ${Buffer.from('u:p').toString('base64')}`,
      },
      {
        httpHeaders: {
          'X-Scope': { values: ['a'], secrets: [new Secret('b')], files: [join(dir, 'token')] },
        },
        authorization: { type: 'Bearer', credentials: { inline: new Secret('t2') } },
        want: 'Bearer t2',
        header: ['x-scope', 'a, b, file-token'],
      },
    ];
    for (const { want, header, ...auth } of cases) {
      const since = api.requests.length;
      const c = new GroupCollector(
        kubernetesDiscoverer(sdConfig('node', api.url, { httpClient: { ...PLAIN_HTTP_CLIENT, ...auth } })),
      );
      await c.first();
      c.unsubscribe();
      expect(api.requests.slice(since).some((r) => r.headers.authorization === want)).toBe(true);
      if (header)
        expect(api.requests.slice(since).some((r) => r.headers[header[0]!] === header[1])).toBe(true);
    }
  });

  it('kubeconfig_file: current context server and token', async () => {
    const file = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: fake\n  cluster:\n    server: ${api.url}\n    insecure-skip-tls-verify: true`,
        'users:',
        '- name: me\n  user:\n    token: kc-token',
        'contexts:',
        '- name: ctx\n  context:\n    cluster: fake\n    user: me',
        'current-context: ctx',
      ].join('\n'),
    );
    const since = api.requests.length;
    const { apiServer: _drop, ...base } = sdConfig('node', api.url);
    collector = new GroupCollector(kubernetesDiscoverer({ ...base, kubeconfigFile: file }));
    await collector.first();
    expect(sources(collector)).toEqual(['node/n1']);
    expect(api.requests.slice(since).some((r) => r.headers.authorization === 'Bearer kc-token')).toBe(true);
  });

  it('reports every request to the request hooks with client-go URL templates', async () => {
    const seen: string[] = [];
    collector = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('pod', api.url, { namespaces: { ownNamespace: false, names: ['apps'] } }),
        {
          requestHooks: {
            onRequest: (verb, template) => seen.push(`req ${verb} ${template}`),
            onResult: (verb, template, host, code, _seconds, watch) =>
              seen.push(`res ${verb} ${template} ${host} ${code}${watch ? ' watch' : ''}`),
          },
        },
      ),
    );
    await collector.first();
    await until(() => seen.length >= 4);
    const host = new URL(api.url).host;
    expect(seen.slice(0, 4)).toEqual([
      'req GET /api/v1/namespaces/%7Bnamespace%7D/pods',
      `res GET /api/v1/namespaces/%7Bnamespace%7D/pods ${host} 200`,
      'req GET /api/v1/namespaces/%7Bnamespace%7D/pods',
      `res GET /api/v1/namespaces/%7Bnamespace%7D/pods ${host} 200 watch`,
    ]);
  });

  it.each([
    [{ selectors: [{ role: 'service' as const }] }, 'pod role supports only pod, node selectors'],
    [{ selectors: [{ role: 'pod' as const }, { role: 'pod' as const }] }, 'duplicated selector role: pod'],
    [{ kubeconfigFile: '/x' }, "cannot use 'kubeconfig_file' and 'api_server' simultaneously"],
  ])('rejects invalid options %#', (overrides, message) => {
    expect(() => kubernetesDiscoverer(sdConfig('pod', 'http://127.0.0.1:1', overrides))).toThrow(message);
  });
});

describe('urlTemplate', () => {
  it.each([
    ['/api/v1/pods', '/api/v1/pods'],
    ['/api/v1/namespaces/default/pods', '/api/v1/namespaces/%7Bnamespace%7D/pods'],
    ['/api/v1/nodes/n1', '/api/v1/nodes/%7Bname%7D'],
    ['/api/v1/namespaces/kube-system', '/api/v1/namespaces/%7Bname%7D'],
    ['/api/v1/namespaces/a/pods/p/log', '/api/v1/namespaces/%7Bnamespace%7D/pods/%7Bname%7D/log'],
    ['/api/v1/nodes/n1/status', '/api/v1/nodes/%7Bname%7D/status'],
    [
      '/apis/discovery.k8s.io/v1/namespaces/x/endpointslices',
      '/apis/discovery.k8s.io/v1/namespaces/%7Bnamespace%7D/endpointslices',
    ],
    ['/version', '/version'],
    ['/metrics/foo/bar', '/%7Bprefix%7D'],
  ])('%s → %s', (path, want) => {
    expect(urlTemplate(path)).toBe(want);
  });
});

describe('api_server over TLS', () => {
  const fixtures = join(import.meta.dirname, '../../test/fixtures/kubernetes-tls');
  const read = (f: string) => readFileSync(join(fixtures, f), 'utf8');
  let tlsApi: FakeKubeApiServer;
  beforeAll(async () => {
    tlsApi = await FakeKubeApiServer.start({
      tls: { key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt') },
    });
    tlsApi.create('nodes', {
      metadata: { name: 'n' },
      status: { addresses: [{ type: 'InternalIP', address: '10.1.1.1' }] },
    });
  });
  afterAll(() => tlsApi.close());

  const tlsClient = (tlsConfig: Partial<HttpClientConfig['tlsConfig']>): HttpClientConfig => ({
    ...PLAIN_HTTP_CLIENT,
    tlsConfig: { insecureSkipVerify: false, ...tlsConfig },
  });

  it('verifies the server with ca_file and presents a client certificate', async () => {
    const c = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('node', tlsApi.url, {
          httpClient: tlsClient({
            caFile: join(fixtures, 'ca.crt'),
            certFile: join(fixtures, 'client.crt'),
            keyFile: join(fixtures, 'client.key'),
          }),
        }),
      ),
    );
    await c.first();
    c.unsubscribe();
    expect(sources(c)).toEqual(['node/n']);
    expect(tlsApi.requests.at(-1)!.clientCertCN).toBe('scrapewire-client');
  });

  it('in-cluster: service host from env, CA, token and own namespace from the service-account dir', async () => {
    tlsApi.create('pods', {
      metadata: { name: 'me', namespace: 'monitoring' },
      spec: {},
      status: { podIP: '10.2.2.2' },
    });
    tlsApi.create('pods', {
      metadata: { name: 'other', namespace: 'default' },
      spec: {},
      status: { podIP: '10.2.2.3' },
    });
    const files: Record<string, string> = {
      '/sa/ca.crt': read('ca.crt'),
      '/sa/token': 'sa-token\n',
      '/sa/namespace': 'monitoring',
    };
    const readFile = (f: string) => {
      const v = files[f];
      if (v === undefined) throw new Error(`ENOENT: ${f}`);
      return v;
    };
    const since = tlsApi.requests.length;
    const { apiServer: _none, ...base } = sdConfig('pod', '', {
      namespaces: { ownNamespace: true, names: [] },
    });
    const c = new GroupCollector(
      kubernetesDiscoverer(base, {
        env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(tlsApi.url).port },
        readFile,
        serviceAccountDir: '/sa',
      }),
    );
    await c.first();
    c.unsubscribe();
    expect(sources(c)).toEqual(['pod/monitoring/me']);
    // (Earlier tests' watches may still be arriving, so look at this collection's requests only.)
    const mine = tlsApi.requests.slice(since).filter((r) => r.path.endsWith('/pods'));
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) {
      expect(r.path).toBe('/api/v1/namespaces/monitoring/pods');
      expect(r.headers.authorization).toBe('Bearer sa-token');
    }
  });

  it('insecure_skip_verify connects without the CA; an unknown CA is reported, not fatal', async () => {
    const insecure = new GroupCollector(
      kubernetesDiscoverer(
        sdConfig('node', tlsApi.url, { httpClient: tlsClient({ insecureSkipVerify: true }) }),
      ),
    );
    await insecure.first();
    insecure.unsubscribe();

    const failures: Error[] = [];
    const strict = new GroupCollector(
      kubernetesDiscoverer(sdConfig('node', tlsApi.url, { httpClient: tlsClient({}) }), {
        backoffInitialMs: 10,
        metrics: { onFailure: (_r, e) => failures.push(e) },
      }),
    );
    await until(() => failures.length >= 2);
    expect(strict.batches).toEqual([]);
    expect(strict.error).toBeUndefined();
    expect(failures[0]!.message).toMatch(/certificate/);
    strict.unsubscribe();
  });
});
