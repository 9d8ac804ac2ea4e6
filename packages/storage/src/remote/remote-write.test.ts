import { Secret } from '@scrapewire/config';
import { Labels } from '@scrapewire/model';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { remoteWriteConfig } from '../../test/config.js';
import { decodeWriteRequest } from '../../test/prompb.js';
import { deliveredKeys, startReceiver, type TestReceiver } from '../../test/receiver.js';
import { intHistogram } from '../../test/samples.js';
import { snappyUncompress } from './compress.js';
import { USER_AGENT } from './http-client.js';
import { createRemoteWrite, type RemoteWriteOptions, type RemoteWriteStorage } from './remote-write.js';
import { InMemoryRemoteWriteMetrics } from './remote-write-metrics.js';

const FAST_QUEUE = { batchSendDeadlineMs: 20, minBackoffMs: 10, maxBackoffMs: 50, maxSamplesPerSend: 100 };

let receivers: TestReceiver[] = [];
let storages: RemoteWriteStorage[] = [];
afterEach(async () => {
  await Promise.all(storages.map((s) => s.close({ deadlineMs: 100 })));
  await Promise.all(receivers.map((r) => r.close()));
  receivers = [];
  storages = [];
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

function storage(
  url: string,
  over: Partial<Omit<RemoteWriteOptions, 'config'>> & {
    config?: Parameters<typeof remoteWriteConfig>[1];
  } = {},
) {
  const metrics = new InMemoryRemoteWriteMetrics();
  const { config, ...rest } = over;
  const s = createRemoteWrite({
    config: remoteWriteConfig(url, { ...config, queueConfig: { ...FAST_QUEUE, ...config?.queueConfig } }),
    metrics,
    ...rest,
  });
  storages.push(s);
  return { s, metrics };
}

const up = (job: string) => Labels.from({ __name__: 'up', job, instance: 'h:1' });

async function writeSamples(s: RemoteWriteStorage, n: number, t0 = 1_700_000_000_000) {
  for (let i = 0; i < n; i++) {
    const app = s.appender();
    app.append(0, up('a'), t0 + i * 1000, i);
    await app.commit();
  }
}

describe('remote write over HTTP', () => {
  it('sends the remote write 1.0 headers and exactly the committed data, stale marker included', async () => {
    const r = await receiver();
    const { s, metrics } = storage(r.url, {
      externalLabels: { cluster: 'eu', job: 'ignored' },
      config: { headers: { 'X-Scope-OrgID': 'tenant-1', 'Content-Type': 'text/plain' } },
    });
    const app = s.appender();
    app.append(0, up('a'), 1000, 1);
    app.append(0, up('a'), 2000, 2.5);
    app.appendStale(0, up('a'), 3000);
    await app.commit();
    const rolledBack = s.appender();
    rolledBack.append(0, up('b'), 1000, 1);
    await rolledBack.rollback();
    await s.close({ deadlineMs: 5000 });
    expect(r.requests).toHaveLength(1);
    const req = r.requests[0]!;
    expect(req.headers).toMatchObject({
      'content-encoding': 'snappy',
      'content-type': 'application/x-protobuf',
      'x-prometheus-remote-write-version': '0.1.0',
      'user-agent': USER_AGENT,
      'x-scope-orgid': 'tenant-1',
    });
    expect(USER_AGENT).toMatch(/^scrapewire\/\d+\.\d+\.\d+/);
    expect(req.headers['retry-attempt']).toBeUndefined();
    expect(req.decoded.timeseries).toEqual([
      {
        labels: { __name__: 'up', cluster: 'eu', instance: 'h:1', job: 'a' },
        samples: [
          { value: 1, timestamp: 1000, bits: '3ff0000000000000' },
          { value: 2.5, timestamp: 2000, bits: '4004000000000000' },
          { value: Number.NaN, timestamp: 3000, bits: '7ff0000000000002' },
        ],
        exemplars: [],
        histograms: [],
      },
    ]);
    expect(metrics.counts.sent.samples).toBe(3);
    expect(metrics.counts.bytes).toBe(req.compressedBytes);
  });

  it('applies write relabeling after external labels and counts dropped series', async () => {
    const r = await receiver();
    const { s, metrics } = storage(r.url, {
      externalLabels: { cluster: 'eu' },
      config: {
        writeRelabelConfigs: [
          {
            sourceLabels: ['job'],
            separator: ';',
            regex: 'drop',
            modulus: 0,
            targetLabel: '',
            replacement: '$1',
            action: 'drop',
          },
        ],
      },
      // Stands in for relabel(): drops job="drop", and proves external labels are already there.
      writeRelabel: (l) =>
        l.get('job') === 'drop' ? undefined : l.builder().set('seen_cluster', l.get('cluster')).labels(),
    });
    const app = s.appender();
    app.append(0, up('keep'), 1000, 1);
    app.append(0, up('drop'), 1000, 1);
    await app.commit();
    await s.close({ deadlineMs: 5000 });
    expect(r.requests[0]!.decoded.timeseries.map((t) => t.labels)).toEqual([
      { __name__: 'up', cluster: 'eu', instance: 'h:1', job: 'keep', seen_cluster: 'eu' },
    ]);
    expect(metrics.counts.dropped['samples:dropped_series']).toBe(1);
  });

  it('resolves series by ref, falls back to labels on a stale or mismatched ref, and survives a cache reset', async () => {
    const bodies: Uint8Array[] = [];
    const { s } = storage('http://127.0.0.1:1/unused', {
      maxCachedSeries: 3,
      externalLabels: { cluster: 'eu' },
      client: {
        async send(body) {
          bodies.push(body);
          return { kind: 'ok' };
        },
        async close() {},
      },
    });
    const app = s.appender();
    const ra = app.append(0, up('a'), 1000, 1);
    const rb = app.append(0, up('b'), 1000, 2);
    expect(app.append(ra, up('a'), 2000, 3)).toBe(ra);
    expect(app.append(0, up('b'), 2000, 4)).toBe(rb);
    const rc = app.append(0, up('c'), 1000, 5);
    // A fourth series finds the cache full: everything is forgotten, refs go on afresh.
    const rd = app.append(0, up('d'), 1000, 9);
    expect(new Set([ra, rb, rc, rd]).size).toBe(4);
    // ra was handed out before the reset: not trusted, the labels decide (and get a new ref).
    const ra2 = app.append(ra, up('a'), 3000, 6);
    expect(ra2).not.toBe(ra);
    // A ref that names another series than the labels: the labels win.
    expect(app.append(rd, up('b'), 3000, 7)).not.toBe(rd);
    expect(app.append(ra2, up('a'), 4000, 8)).toBe(ra2);
    await app.commit();
    await s.close({ deadlineMs: 5000 });
    const got: Record<string, [number, number][]> = {};
    for (const b of bodies) {
      for (const t of decodeWriteRequest(snappyUncompress(b)).timeseries) {
        expect(t.labels.cluster).toBe('eu');
        const job = t.labels.job!;
        got[job] = [...(got[job] ?? []), ...t.samples.map((x): [number, number] => [x.timestamp, x.value])];
      }
    }
    expect(got).toEqual({
      a: [
        [1000, 1],
        [2000, 3],
        [3000, 6],
        [4000, 8],
      ],
      b: [
        [1000, 2],
        [2000, 4],
        [3000, 7],
      ],
      c: [[1000, 5]],
      d: [[1000, 9]],
    });
  });

  it('keeps transactions apart while their buffers are reused: interleaved, rolled back, committed', async () => {
    const bodies: Uint8Array[] = [];
    const { s } = storage('http://127.0.0.1:1/unused', {
      client: {
        async send(body) {
          bodies.push(body);
          return { kind: 'ok' };
        },
        async close() {},
      },
    });
    const sent = () =>
      bodies.flatMap((b) =>
        decodeWriteRequest(snappyUncompress(b)).timeseries.flatMap((t) =>
          t.samples.map((x) => `${t.labels.job}@${x.timestamp}=${x.value}`),
        ),
      );
    for (let round = 0; round < 3; round++) {
      const t = round * 1000;
      // Two transactions open at once, then one that is rolled back, then one that commits nothing.
      const a = s.appender();
      const b = s.appender();
      for (let i = 0; i < 40; i++) a.append(0, up('a'), t + i, i);
      b.append(0, up('b'), t, -1);
      await b.commit();
      a.append(0, up('a'), t + 40, 40);
      const dropped = s.appender();
      for (let i = 0; i < 100; i++) dropped.append(0, up('x'), t + i, i);
      await dropped.rollback();
      await a.commit();
      await s.appender().commit();
      const c = s.appender();
      c.appendStale(0, up('c'), t + 1);
      await c.commit();
    }
    await s.close({ deadlineMs: 5000 });
    const expected: string[] = [];
    for (let round = 0; round < 3; round++) {
      const t = round * 1000;
      expected.push(
        `b@${t}=-1`,
        ...Array.from({ length: 41 }, (_, i) => `a@${t + i}=${i}`),
        `c@${t + 1}=NaN`,
      );
    }
    expect(sent().sort()).toEqual(expected.sort());
  });

  it('compiles write_relabel_configs with @scrapewire/relabel when no function is given', async () => {
    const r = await receiver();
    const { s, metrics } = storage(r.url, {
      externalLabels: { cluster: 'eu' },
      config: {
        writeRelabelConfigs: [
          {
            sourceLabels: ['job'],
            separator: ';',
            regex: 'dr.p',
            modulus: 0,
            targetLabel: '',
            replacement: '$1',
            action: 'drop',
          },
          {
            sourceLabels: ['cluster', 'job'],
            separator: '/',
            regex: '(.*)',
            modulus: 0,
            targetLabel: 'where',
            replacement: '$1',
            action: 'replace',
          },
        ],
      },
    });
    const app = s.appender();
    app.append(0, up('keep'), 1000, 1);
    app.append(0, up('drop'), 1000, 1);
    await app.commit();
    await s.close({ deadlineMs: 5000 });
    expect(r.requests[0]!.decoded.timeseries.map((t) => t.labels)).toEqual([
      { __name__: 'up', cluster: 'eu', instance: 'h:1', job: 'keep', where: 'eu/keep' },
    ]);
    expect(metrics.counts.dropped['samples:dropped_series']).toBe(1);
  });

  it('rejects invalid write_relabel_configs', () => {
    expect(() =>
      createRemoteWrite({
        config: remoteWriteConfig('http://127.0.0.1:1/', {
          writeRelabelConfigs: [
            {
              sourceLabels: [],
              separator: ';',
              regex: '(',
              modulus: 0,
              targetLabel: 'x',
              replacement: '$1',
              action: 'replace',
            },
          ],
        }),
      }),
    ).toThrow(/write_relabel_configs/);
  });

  it('sends basic auth and authorization credentials', async () => {
    const r = await receiver();
    const { s } = storage(r.url, {
      config: {
        httpClient: {
          ...remoteWriteConfig('x').httpClient,
          basicAuth: { username: 'user', password: { inline: new Secret('pa:ss') } },
        },
      },
    });
    await writeSamples(s, 1);
    const r2 = await receiver();
    const { s: s2 } = storage(r2.url, {
      config: {
        httpClient: {
          ...remoteWriteConfig('x').httpClient,
          authorization: { type: 'Bearer', credentials: { inline: new Secret('tok') } },
        },
      },
    });
    await writeSamples(s2, 1);
    await s.close({ deadlineMs: 5000 });
    await s2.close({ deadlineMs: 5000 });
    expect(r.requests[0]!.headers.authorization).toBe(
      `Basic ${Buffer.from('user:pa:ss').toString('base64')}`,
    );
    expect(r2.requests[0]!.headers.authorization).toBe('Bearer tok');
  });

  it('retries a 500 and delivers the batch once', async () => {
    const r = await receiver(0, (n, _req, res) => {
      if (n > 0) return undefined;
      res.statusCode = 500;
      res.end('boom');
      return 'handled';
    });
    const { s, metrics } = storage(r.url);
    await writeSamples(s, 5);
    await vi.waitFor(() => expect(r.accepted.length).toBeGreaterThan(0), { timeout: 5000 });
    await s.close({ deadlineMs: 5000 });
    expect(r.requests.length).toBeGreaterThanOrEqual(2);
    expect(r.requests[1]!.headers['retry-attempt']).toBe('1');
    const keys = deliveredKeys(r.accepted);
    expect(keys).toHaveLength(5);
    expect(new Set(keys).size).toBe(5);
    expect(metrics.counts.retried.samples).toBeGreaterThan(0);
    expect(metrics.counts.sent.samples).toBe(5);
  });

  it('retries a 429 after Retry-After when retry_on_http_429 is on', async () => {
    const r = await receiver(0, (n, _req, res) => {
      if (n > 0) return undefined;
      res.statusCode = 429;
      res.setHeader('Retry-After', '1');
      res.end();
      return 'handled';
    });
    const { s, metrics } = storage(r.url, { config: { queueConfig: { retryOnHttp429: true } } });
    await writeSamples(s, 2);
    await vi.waitFor(() => expect(r.accepted).toHaveLength(1), { timeout: 5000 });
    expect(r.requests).toHaveLength(2);
    expect(metrics.counts.retried.samples).toBe(2);
    expect(metrics.counts.sent.samples).toBe(2);
  });

  it('drops and counts a 429 when retry_on_http_429 is off, and a 400 always', async () => {
    for (const status of [429, 400]) {
      const r = await receiver(0, (_n, _req, res) => {
        res.statusCode = status;
        res.end('bad');
        return 'handled';
      });
      const { s, metrics } = storage(r.url);
      await writeSamples(s, 3);
      await s.close({ deadlineMs: 5000 });
      expect(r.requests).toHaveLength(1);
      expect(metrics.counts.failed.samples).toBe(3);
      expect(metrics.counts.sent.samples).toBe(0);
      expect(metrics.counts.pending.samples).toBe(0);
    }
  });

  it('retries after a remote_timeout on a receiver that never answers', async () => {
    const r = await receiver(0, (n) => (n === 0 ? 'hang' : undefined));
    const { s, metrics } = storage(r.url, { config: { remoteTimeoutMs: 200 } });
    await writeSamples(s, 2);
    await vi.waitFor(() => expect(r.accepted).toHaveLength(1), { timeout: 5000 });
    expect(deliveredKeys(r.accepted)).toHaveLength(2);
    expect(metrics.counts.retried.samples).toBe(2);
  });

  it('delivers every sample exactly once when the receiver is refused, then comes up', async () => {
    const probe = await startReceiver();
    const port = probe.port;
    await probe.close();
    const { s, metrics } = storage(`http://127.0.0.1:${port}/api/v1/write`, {
      config: { queueConfig: { maxSamplesPerSend: 7 } },
    });
    await writeSamples(s, 50);
    await vi.waitFor(() => expect(metrics.counts.retried.samples).toBeGreaterThan(0), { timeout: 5000 });
    await writeSamples(s, 50, 1_700_000_100_000);
    const r = await receiver(port);
    await vi.waitFor(() => expect(metrics.counts.sent.samples).toBe(100), { timeout: 10_000 });
    const keys = deliveredKeys(r.accepted);
    expect(keys).toHaveLength(100);
    expect(new Set(keys).size).toBe(100);
    expect(metrics.counts.dropped).toEqual({});
  });

  it('sends metadata with family names, on demand and every send_interval', async () => {
    const r = await receiver();
    const { s } = storage(r.url, {
      config: { metadataConfig: { send: true, sendIntervalMs: 100, maxSamplesPerSend: 500 } },
    });
    const app = s.appender();
    const b = Labels.from({ __name__: 'lat_bucket', le: '1' });
    app.updateMetadata(0, b, { type: 'histogram', help: 'Latency.', unit: 'seconds' });
    app.updateMetadata(0, up('a'), { type: 'gauge', help: 'Up.', unit: '' });
    await app.commit();
    await vi.waitFor(
      () => expect(r.requests.filter((q) => q.decoded.metadata.length > 0).length).toBeGreaterThanOrEqual(2),
      {
        timeout: 5000,
      },
    );
    const meta = r.requests.find((q) => q.decoded.metadata.length > 0)!.decoded.metadata;
    expect(meta).toEqual([
      { type: 'HISTOGRAM', metricFamilyName: 'lat', help: 'Latency.', unit: 'seconds' },
      { type: 'GAUGE', metricFamilyName: 'up', help: 'Up.', unit: '' },
    ]);
  });

  it('sends exemplars and native histograms only when enabled, and never NHCB', async () => {
    const r = await receiver();
    const hist = intHistogram();
    const { s, metrics } = storage(r.url, { config: { sendExemplars: true, sendNativeHistograms: true } });
    const { s: off } = storage(r.url);
    for (const st of [s, off]) {
      const app = st.appender();
      app.append(0, up('a'), 1000, 1);
      app.appendExemplar(0, up('a'), { labels: Labels.from({ trace_id: 'x' }), value: 1, timestampMs: 1000 });
      app.appendHistogram(0, Labels.from({ __name__: 'h' }), 1000, hist);
      app.appendHistogram(0, Labels.from({ __name__: 'nhcb' }), 1000, {
        ...hist,
        schema: -53,
        customValues: [1],
      });
      await app.commit();
      await st.close({ deadlineMs: 5000 });
    }
    const [on, offReq] = r.requests;
    expect(
      on!.decoded.timeseries.map((t) => [
        t.labels.__name__,
        t.samples.length,
        t.exemplars.length,
        t.histograms.length,
      ]),
    ).toEqual([
      ['up', 1, 1, 0],
      ['h', 0, 0, 1],
    ]);
    expect(
      offReq!.decoded.timeseries.map((t) => [
        t.labels.__name__,
        t.samples.length,
        t.exemplars.length,
        t.histograms.length,
      ]),
    ).toEqual([['up', 1, 0, 0]]);
    expect(metrics.counts.dropped['histograms:nhcb_in_rw1_not_supported']).toBe(1);
  });
});

describe('RemoteWriteStorage lifecycle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends metadata every send_interval and clears every timer on close', async () => {
    vi.useFakeTimers();
    const sent: number[] = [];
    let closed = false;
    const metrics = new InMemoryRemoteWriteMetrics();
    const s = createRemoteWrite({
      config: remoteWriteConfig('http://127.0.0.1:1/unused', {
        metadataConfig: { send: true, sendIntervalMs: 60_000, maxSamplesPerSend: 500 },
      }),
      metrics,
      client: {
        async send(body) {
          sent.push(body.length);
          return { kind: 'ok' };
        },
        async close() {
          closed = true;
        },
      },
    });
    const app = s.appender();
    app.updateMetadata(0, up('a'), { type: 'gauge', help: 'Up.', unit: '' });
    app.append(0, up('a'), 1000, 1);
    await app.commit();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(metrics.counts.sent.metadata).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(metrics.counts.sent.metadata).toBe(2);
    const result = await s.close({ deadlineMs: 1000 });
    expect(result).toEqual({ flushed: true, dropped: 0 });
    expect(metrics.counts.sent.samples).toBe(1);
    expect(closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    // Commits after close are dropped and counted, never sent.
    const late = s.appender();
    late.append(0, up('a'), 2000, 1);
    await late.commit();
    expect(metrics.counts.dropped['samples:shutdown']).toBe(1);
    expect(s.pending()).toBe(0);
  });

  it('reshards between queue_config min_shards and max_shards, starting at the shards option', async () => {
    vi.useFakeTimers();
    const metrics = new InMemoryRemoteWriteMetrics();
    let inFlight = 0;
    let maxInFlight = 0;
    const s = createRemoteWrite({
      config: remoteWriteConfig('http://127.0.0.1:1/unused', {
        queueConfig: { ...FAST_QUEUE, minShards: 2, maxShards: 6, capacity: 200 },
      }),
      metrics,
      reshardIntervalMs: 1000,
      client: {
        async send() {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, 100));
          inFlight--;
          return { kind: 'ok' };
        },
        async close() {},
      },
    });
    expect(metrics.counts.shards).toBe(2);
    // 40 series × 100 samples/s = 4000/s; 2 shards move 2 × 100 / 100 ms = 2000/s.
    let t = 1_700_000_000_000;
    for (let step = 0; step < 100; step++) {
      const app = s.appender();
      for (let i = 0; i < 400; i++) app.append(0, up(`j${i % 40}`), t + i, i);
      await app.commit();
      t += 1000;
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(metrics.counts.shards).toBeGreaterThan(2);
    expect(metrics.counts.shards).toBeLessThanOrEqual(6);
    expect(maxInFlight).toBeGreaterThan(2);
    const closing = s.close({ deadlineMs: 10_000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await closing).flushed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects oauth2 and remote write 2.0, which are not implemented', () => {
    const base = remoteWriteConfig('http://127.0.0.1:1/');
    expect(() =>
      createRemoteWrite({
        config: {
          ...base,
          httpClient: {
            ...base.httpClient,
            oauth2: {
              clientId: 'x',
              scopes: [],
              tokenUrl: 'http://t/',
              endpointParams: {},
              tlsConfig: { insecureSkipVerify: false },
            },
          },
        },
      }),
    ).toThrow(/oauth2/);
    expect(() =>
      createRemoteWrite({ config: { ...base, protobufMessage: 'io.prometheus.write.v2.Request' } }),
    ).toThrow(/1\.0/);
  });
});
