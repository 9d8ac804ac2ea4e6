import { describe, expect, it } from 'vitest';
import { createKubeClientMetrics } from './kube-client-metrics.js';
import { observeRequest } from './observe-request.js';

function recording() {
  const seen: string[] = [];
  const metrics = createKubeClientMetrics();
  metrics.register({
    requestResult: { increment: (c, m, h) => seen.push(`result ${c} ${m} ${h}`) },
    requestLatency: { observe: (v, u, s) => seen.push(`latency ${v} ${u} ${s}`) },
    requestSize: { observe: (v, h, b) => seen.push(`reqsize ${v} ${h} ${b}`) },
    responseSize: { observe: (v, h, b) => seen.push(`respsize ${v} ${h} ${b}`) },
  });
  return { metrics, seen };
}

describe('observeRequest', () => {
  it('reports a LIST with result, templated latency and sizes', () => {
    const { metrics, seen } = recording();
    observeRequest(metrics, {
      method: 'get',
      url: 'https://k:6443/api/v1/namespaces/a/pods?limit=500',
      status: 200,
      durationSeconds: 0.5,
      requestBytes: 0,
      responseBytes: 1234,
    });
    expect(seen).toEqual([
      'result 200 GET k:6443',
      'latency GET https://k:6443/api/v1/namespaces/%7Bnamespace%7D/pods?limit=%7Bvalue%7D 0.5',
      'reqsize GET k:6443 0',
      'respsize GET k:6443 1234',
    ]);
  });

  it('reports only the result of a watch, and <error> without a status', () => {
    const { metrics, seen } = recording();
    observeRequest(metrics, {
      method: 'GET',
      url: 'http://127.0.0.1:1/api/v1/pods?watch=true&resourceVersion=3',
      status: 200,
      durationSeconds: 0.01,
      responseBytes: 10,
    });
    observeRequest(metrics, {
      method: 'GET',
      url: 'http://127.0.0.1:1/api/v1/pods',
      status: undefined,
      durationSeconds: 1,
    });
    expect(seen).toEqual([
      'result 200 GET 127.0.0.1:1',
      'result <error> GET 127.0.0.1:1',
      'latency GET http://127.0.0.1:1/api/v1/pods 1',
    ]);
  });

  it('does nothing while unregistered and survives throwing hooks', () => {
    const quiet = createKubeClientMetrics();
    expect(() => observeRequest(quiet, { method: 'GET', url: 'http://h/api', status: 200 })).not.toThrow();
    const broken = createKubeClientMetrics();
    broken.register({
      requestResult: {
        increment: () => {
          throw new Error('x');
        },
      },
    });
    expect(() => observeRequest(broken, { method: 'GET', url: 'http://h/api', status: 200 })).not.toThrow();
  });
});
