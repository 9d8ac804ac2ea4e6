// Overhead of the client-node instrumentation per request, without network: the hook dispatch and URL
// templating around a fake HTTP library that answers at once. Bodies are read with text(), as the generated
// response processors do. Run with `pnpm bench kube-client-metrics`.
import {
  type HttpLibrary,
  HttpMethod,
  Observable,
  RequestContext,
  ResponseContext,
} from '@kubernetes/client-node';
import { Bench } from 'tinybench';
import { createKubeClientMetrics } from '../src/kube-client-metrics.js';
import { instrumentHttpLibrary } from '../src/instrumented-http-library.js';
import { RequestRecorder } from '../src/request-recorder.js';
import { silentLogger } from '../src/logger.js';
import { formatUrlTemplate, urlTemplate } from '../src/url-template.js';

const SERVER = 'https://10.0.0.1:6443';
const URL_ = `${SERVER}/api/v1/namespaces/monitoring/pods/prometheus-0?resourceVersion=12345&limit=500`;
const BODY = Buffer.from(JSON.stringify({ kind: 'Pod', metadata: { name: 'prometheus-0' } }));
// One batch runs the operation this many times, so per-call figures are not swamped by the harness.
const BATCH = 1000;

const response = new ResponseContext(
  200,
  { 'content-type': 'application/json' },
  {
    text: () => Promise.resolve(BODY.toString()),
    binary: () => Promise.resolve(BODY),
  },
);
const resolved = Promise.resolve(response);
const inner: HttpLibrary = { send: () => new Observable(resolved) };
const ctx = new RequestContext(URL_, HttpMethod.GET);
// 1000 distinct object URLs, more than the per-client template cache holds: every lookup misses.
const distinct = Array.from(
  { length: BATCH },
  (_, i) => new RequestContext(`${SERVER}/api/v1/namespaces/ns/pods/pod-${i}`, HttpMethod.GET),
);

const unregistered = createKubeClientMetrics();
const plainWrapped = instrumentHttpLibrary({ metrics: unregistered, serverUrl: SERVER, inner });

const registered = createKubeClientMetrics();
let sink = 0;
registered.register({
  requestResult: { increment: (code) => (sink += code.length) },
  requestLatency: { observe: (_v, url, s) => (sink += url.length + s) },
  requestSize: { observe: (_v, _h, b) => (sink += b) },
  responseSize: { observe: (_v, _h, b) => (sink += b) },
});
const registeredWrapped = instrumentHttpLibrary({ metrics: registered, serverUrl: SERVER, inner });
const recorder = new RequestRecorder(registered, SERVER, silentLogger, () => performance.now());

const bench = new Bench({ name: 'kube-client-metrics overhead', time: 500, warmup: true });
bench
  .add('sync: inner.send (baseline)', () => {
    for (let i = 0; i < BATCH; i++) inner.send(ctx);
  })
  .add('sync: instrumented send, not registered', () => {
    for (let i = 0; i < BATCH; i++) plainWrapped.send(ctx);
  })
  .add('sync: urlTemplate + format', () => {
    for (let i = 0; i < BATCH; i++) sink += formatUrlTemplate(urlTemplate(URL_, '')).length;
  })
  .add('sync: hook dispatch (result + latency + 2 sizes), registered, template cached', () => {
    for (let i = 0; i < BATCH; i++) {
      const t = recorder.now();
      recorder.requestSize('GET', 0);
      recorder.result('200', 'GET');
      recorder.latency('GET', URL_, t);
      recorder.responseSize('GET', BODY.length);
    }
  })
  .add('async: request + body (baseline)', async () => {
    for (let i = 0; i < BATCH; i++) {
      const r = await inner.send(ctx).toPromise();
      sink += (await r.body.text()).length;
    }
  })
  .add('async: request + body, not registered', async () => {
    for (let i = 0; i < BATCH; i++) {
      const r = await plainWrapped.send(ctx).toPromise();
      sink += (await r.body.text()).length;
    }
  })
  .add('async: request + body, registered, template cached', async () => {
    for (let i = 0; i < BATCH; i++) {
      const r = await registeredWrapped.send(ctx).toPromise();
      sink += (await r.body.text()).length;
    }
  })
  .add('async: request + body, registered, template not cached', async () => {
    for (let i = 0; i < BATCH; i++) {
      const r = await registeredWrapped.send(distinct[i]!).toPromise();
      sink += (await r.body.text()).length;
    }
  });

await bench.run();
console.log(`${bench.name} (per call = batch latency / ${BATCH})`);
console.table(
  bench.tasks.map((t) => {
    const r = t.result as { state?: string; latency?: { mean: number; rme: number }; error?: unknown };
    if (!r.latency) return { task: t.name, 'ns per call': String(r.error ?? r.state) };
    return {
      task: t.name,
      'ns per call': ((r.latency.mean * 1e6) / BATCH).toFixed(1),
      '± %': r.latency.rme.toFixed(2),
    };
  }),
);
if (sink === -1) console.log('unreachable');
