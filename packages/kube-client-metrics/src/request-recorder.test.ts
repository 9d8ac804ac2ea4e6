import { silentLogger } from './logger.js';
import { describe, expect, it } from 'vitest';
import { createKubeClientMetrics } from './kube-client-metrics.js';
import { errorCode, isWatchUrl, RequestRecorder } from './request-recorder.js';

describe('RequestRecorder', () => {
  it('takes host and base path from the server URL, or says none', () => {
    const m = createKubeClientMetrics();
    expect(new RequestRecorder(m, 'https://k.example:6443/base', silentLogger, () => 0)).toMatchObject({
      host: 'k.example:6443',
      basePath: '/base',
    });
    expect(new RequestRecorder(m, 'https://k.example', silentLogger, () => 0).host).toBe('k.example');
    expect(new RequestRecorder(m, undefined, silentLogger, () => 0).host).toBe('none');
    expect(new RequestRecorder(m, 'not a url', silentLogger, () => 0).host).toBe('none');
  });

  it('templates through a bounded cache that gives the same answers as without it', () => {
    const r = new RequestRecorder(createKubeClientMetrics(), 'https://k:1/base', silentLogger, () => 0);
    const url = (i: number) => `https://k:1/base/api/v1/namespaces/ns${i}/pods/p${i}?rv=${i}`;
    const expected = 'https://k:1/base/api/v1/namespaces/%7Bnamespace%7D/pods/%7Bname%7D?rv=%7Bvalue%7D';
    for (let i = 0; i < 1000; i++) expect(r.template(url(i))).toBe(expected);
    expect(r.template(url(1))).toBe(expected);
    expect((r as unknown as { templates: Map<string, string> }).templates.size).toBeLessThanOrEqual(256);
  });

  it('measures latency with the injected clock', () => {
    const m = createKubeClientMetrics();
    const seen: number[] = [];
    m.register({ requestLatency: { observe: (_v, _u, s) => seen.push(s) } });
    let now = 1000;
    const r = new RequestRecorder(m, 'https://k:1', silentLogger, () => now);
    const start = r.now();
    now = 1250;
    r.latency('GET', 'https://k:1/api/v1/pods', start);
    expect(seen).toEqual([0.25]);
  });
});

describe('errorCode', () => {
  it.each([
    [{ statusCode: 403 }, '403'],
    [{ code: 410 }, '410'],
    [{ code: 'ECONNRESET' }, undefined],
    [new Error('x'), undefined],
    [undefined, undefined],
    [{ statusCode: 42 }, undefined],
  ])('%o → %s', (err, code) => {
    expect(errorCode(err)).toBe(code);
  });
});

describe('isWatchUrl', () => {
  it.each([
    ['https://k/api/v1/pods?watch=true', true],
    ['https://k/api/v1/pods?resourceVersion=1&watch=1', true],
    ['https://k/api/v1/pods?watch=true&x=1', true],
    ['https://k/api/v1/pods?watch=false', false],
    ['https://k/api/v1/pods?nowatch=true', false],
    ['https://k/api/v1/pods', false],
  ])('%s → %s', (url, watch) => {
    expect(isWatchUrl(url)).toBe(watch);
  });
});
