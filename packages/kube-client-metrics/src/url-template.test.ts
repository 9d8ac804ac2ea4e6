import { describe, expect, it } from 'vitest';
import { formatUrlTemplate, kubernetesVerb, urlTemplate } from './url-template.js';

const S = 'https://10.0.0.1:6443';

describe('urlTemplate', () => {
  // Expected values follow client-go's finalURLTemplate() (rest/request.go), including its quirks.
  const cases: Array<[name: string, url: string, basePath: string, expected: string]> = [
    ['core collection, all namespaces', `${S}/api/v1/pods`, '', `${S}/api/v1/pods`],
    [
      'core namespaced collection',
      `${S}/api/v1/namespaces/default/pods`,
      '',
      `${S}/api/v1/namespaces/%7Bnamespace%7D/pods`,
    ],
    [
      'core namespaced object',
      `${S}/api/v1/namespaces/default/pods/web-0`,
      '',
      `${S}/api/v1/namespaces/%7Bnamespace%7D/pods/%7Bname%7D`,
    ],
    [
      'core namespaced subresource',
      `${S}/api/v1/namespaces/kube-system/pods/web-0/log`,
      '',
      `${S}/api/v1/namespaces/%7Bnamespace%7D/pods/%7Bname%7D/log`,
    ],
    [
      'namespaced status keeps the resource name position',
      `${S}/api/v1/namespaces/default/pods/web-0/status`,
      '',
      `${S}/api/v1/namespaces/%7Bnamespace%7D/pods/%7Bname%7D/status`,
    ],
    ['cluster-scoped object', `${S}/api/v1/nodes/node-1`, '', `${S}/api/v1/nodes/%7Bname%7D`],
    ['namespace object', `${S}/api/v1/namespaces/default`, '', `${S}/api/v1/namespaces/%7Bname%7D`],
    ['cluster-scoped status', `${S}/api/v1/nodes/node-1/status`, '', `${S}/api/v1/nodes/%7Bname%7D/status`],
    [
      'namespace finalize',
      `${S}/api/v1/namespaces/ns1/finalize`,
      '',
      `${S}/api/v1/namespaces/%7Bname%7D/finalize`,
    ],
    [
      'client-go quirk: cluster-scoped proxy subresource gets {namespace}',
      `${S}/api/v1/nodes/node-1/proxy`,
      '',
      `${S}/api/v1/nodes/%7Bnamespace%7D/proxy`,
    ],
    [
      'named group namespaced object',
      `${S}/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-abc`,
      '',
      `${S}/apis/discovery.k8s.io/v1/namespaces/%7Bnamespace%7D/endpointslices/%7Bname%7D`,
    ],
    [
      'named group all namespaces',
      `${S}/apis/networking.k8s.io/v1/ingresses`,
      '',
      `${S}/apis/networking.k8s.io/v1/ingresses`,
    ],
    ['version is unchanged', `${S}/version`, '', `${S}/version`],
    ['api root is unchanged', `${S}/api`, '', `${S}/api`],
    ['group discovery', `${S}/apis/apps/v1`, '', `${S}/apis/apps/v1`],
    ['unknown prefix', `${S}/metrics/cadvisor`, '', `${S}/%7Bprefix%7D`],
    ['unknown prefix drops the query', `${S}/openapi/v2?timeout=32s`, '', `${S}/%7Bprefix%7D`],
    [
      'query values templated, keys sorted and deduplicated',
      `${S}/api/v1/pods?watch=true&resourceVersion=10&labelSelector=app%3Dweb&watch=1`,
      '',
      `${S}/api/v1/pods?labelSelector=%7Bvalue%7D&resourceVersion=%7Bvalue%7D&watch=%7Bvalue%7D`,
    ],
    ['query on an unchanged path', `${S}/version?x=1`, '', `${S}/version?x=%7Bvalue%7D`],
    [
      'base path is set aside and restored',
      `${S}/k8s/clusters/c-1/api/v1/namespaces/default/pods`,
      '/k8s/clusters/c-1',
      `${S}/k8s/clusters/c-1/api/v1/namespaces/%7Bnamespace%7D/pods`,
    ],
    [
      'base path with trailing slash',
      `${S}/k8s/api/v1/nodes/n1`,
      '/k8s/',
      `${S}/k8s/api/v1/nodes/%7Bname%7D`,
    ],
    [
      'trailing slash counts as a segment, as strings.Split does',
      `${S}/api/v1/pods/`,
      '',
      `${S}/api/v1/pods/%7Bname%7D`,
    ],
    ['fragment ignored', `${S}/api/v1/nodes/n1#x`, '', `${S}/api/v1/nodes/%7Bname%7D`],
  ];

  it.each(cases)('%s', (_name, url, basePath, expected) => {
    expect(formatUrlTemplate(urlTemplate(url, basePath))).toBe(expected);
  });

  it('splits origin, path and query', () => {
    expect(urlTemplate('http://127.0.0.1:8080/api/v1/namespaces/a/pods?limit=500')).toEqual({
      origin: 'http://127.0.0.1:8080',
      path: '/api/v1/namespaces/%7Bnamespace%7D/pods',
      query: 'limit=%7Bvalue%7D',
    });
  });

  it('handles a URL without a path', () => {
    expect(urlTemplate('http://h:1')).toEqual({ origin: 'http://h:1', path: '/', query: '' });
    expect(urlTemplate('http://h:1?a=b')).toEqual({
      origin: 'http://h:1',
      path: '/',
      query: 'a=%7Bvalue%7D',
    });
  });
});

describe('kubernetesVerb', () => {
  const cases: Array<[method: string, url: string, verb: string]> = [
    ['GET', `${S}/api/v1/pods`, 'list'],
    ['GET', `${S}/api/v1/namespaces/a/pods`, 'list'],
    ['GET', `${S}/api/v1/namespaces/a/pods/p`, 'get'],
    ['GET', `${S}/api/v1/namespaces/a/pods?watch=true&resourceVersion=1`, 'watch'],
    ['GET', `${S}/api/v1/namespaces/a/pods?watch=1`, 'watch'],
    ['GET', `${S}/api/v1/namespaces/a/pods?watch=false`, 'list'],
    ['POST', `${S}/api/v1/namespaces/a/pods`, 'create'],
    ['PUT', `${S}/api/v1/namespaces/a/pods/p`, 'update'],
    ['PATCH', `${S}/api/v1/namespaces/a/pods/p`, 'patch'],
    ['DELETE', `${S}/api/v1/namespaces/a/pods/p`, 'delete'],
    ['DELETE', `${S}/api/v1/namespaces/a/pods`, 'deletecollection'],
    ['OPTIONS', `${S}/api/v1/pods`, 'options'],
  ];
  it.each(cases)('%s %s is %s', (method, url, verb) => {
    expect(kubernetesVerb(method, url)).toBe(verb);
  });
});
