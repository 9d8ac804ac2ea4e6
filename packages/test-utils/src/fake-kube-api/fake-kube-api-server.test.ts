import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeKubeApiServer, type FakeKubeApiServerOptions } from './fake-kube-api-server.js';

/** Untyped JSON from the wire, for assertions. */
type Json = any;

const servers: FakeKubeApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function start(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
  const s = await FakeKubeApiServer.start(options);
  servers.push(s);
  return s;
}

async function getJson(url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/** Opens a watch and collects its events; `close()` aborts it. */
function openWatch(url: string) {
  const events: Json[] = [];
  let status = 0;
  let ended = false;
  const req = request(url, (res) => {
    status = res.statusCode ?? 0;
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      buf += c;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        events.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    });
    res.on('end', () => {
      ended = true;
    });
  });
  req.on('error', () => {});
  req.end();
  return {
    events,
    get status() {
      return status;
    },
    get ended() {
      return ended;
    },
    close: () => req.destroy(),
  };
}

async function until(cond: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pod = (name: string, ns = 'a', labels: Record<string, string> = {}) => ({
  metadata: { name, namespace: ns, labels },
  spec: { nodeName: 'n1' },
  status: { phase: 'Running' },
});

describe('FakeKubeApiServer', () => {
  it('lists namespaced and cluster-wide collections with a resourceVersion and selectors', async () => {
    const api = await start();
    api.create('pods', pod('p1', 'a', { app: 'x' }));
    api.create('pods', pod('p2', 'b'));
    const all = await getJson(`${api.url}/api/v1/pods`);
    expect(all.body.kind).toBe('PodList');
    expect(all.body.metadata.resourceVersion).toBe(api.resourceVersion);
    expect(all.body.items.map((p: Json) => p.metadata.name)).toEqual(['p1', 'p2']);
    const inB = await getJson(`${api.url}/api/v1/namespaces/b/pods`);
    expect(inB.body.items.map((p: Json) => p.metadata.name)).toEqual(['p2']);
    const sel = await getJson(`${api.url}/api/v1/pods?labelSelector=app%3Dx`);
    expect(sel.body.items.map((p: Json) => p.metadata.name)).toEqual(['p1']);
    expect((await getJson(`${api.url}/api/v1/pods?labelSelector=a%20b`)).status).toBe(400);
    expect((await getJson(`${api.url}/api/v1/namespaces/a/pods/p1`)).body.metadata.name).toBe('p1');
    expect((await getJson(`${api.url}/apis/discovery.k8s.io/v1/endpointslices`)).body.kind).toBe(
      'EndpointSliceList',
    );
    expect((await getJson(`${api.url}/api/v1/nope`)).status).toBe(404);
  });

  it('serves /version, /api and /apis', async () => {
    const api = await start();
    expect((await getJson(`${api.url}/version`)).body.gitVersion).toMatch(/^v1\./);
    expect((await getJson(`${api.url}/api`)).body.versions).toEqual(['v1']);
    const groups = (await getJson(`${api.url}/apis`)).body.groups.map((g: Json) => g.name);
    expect(groups).toEqual(['discovery.k8s.io', 'networking.k8s.io']);
  });

  it('watches from a resourceVersion, translates selector transitions, and sends bookmarks', async () => {
    const api = await start();
    api.create('pods', pod('p1', 'a', { app: 'x' }));
    const rv = api.resourceVersion;
    api.update('pods', pod('p1', 'a', { app: 'y' }));
    const w = openWatch(
      `${api.url}/api/v1/pods?watch=true&resourceVersion=${rv}&labelSelector=app%3Dy&allowWatchBookmarks=true`,
    );
    await until(() => w.events.length === 1, 'replay');
    // It started matching with that update: ADDED, not MODIFIED.
    expect(w.events[0].type).toBe('ADDED');
    expect(w.events[0].object.kind).toBe('Pod');
    api.update('pods', pod('p1', 'a', { app: 'z' }));
    await until(() => w.events.length === 2, 'delete on mismatch');
    expect(w.events[1].type).toBe('DELETED');
    api.sendBookmarks();
    await until(() => w.events.length === 3, 'bookmark');
    expect(w.events[2]).toEqual({
      type: 'BOOKMARK',
      object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: api.resourceVersion } },
    });
    w.close();
    await until(() => api.openWatches === 0, 'watch closed');
  });

  it('answers too-old resourceVersions with 410 Expired, as an event or a status', async () => {
    const api = await start({ expiredAs: 'event' });
    api.create('pods', pod('p1'));
    api.compact();
    const w = openWatch(`${api.url}/api/v1/pods?watch=true&resourceVersion=1`);
    await until(() => w.ended, 'expired watch ends');
    expect(w.events).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ code: 410, reason: 'Expired' }) },
    ]);
    const api2 = await start({ expiredAs: 'status' });
    api2.create('pods', pod('p1'));
    api2.compact();
    expect((await getJson(`${api2.url}/api/v1/pods?watch=true&resourceVersion=1`)).status).toBe(410);
  });

  it('injects faults: failures, closed and stalled watches, downtime', async () => {
    const api = await start();
    api.failRequests({ status: 503, count: 1 });
    expect((await getJson(`${api.url}/api/v1/pods`)).status).toBe(503);
    expect((await getJson(`${api.url}/api/v1/pods`)).status).toBe(200);

    const w = openWatch(`${api.url}/api/v1/pods?watch=true`);
    await until(() => api.openWatches === 1, 'watch open');
    api.stallWatches();
    api.create('pods', pod('silent'));
    const w2 = openWatch(`${api.url}/api/v1/pods?watch=true&resourceVersion=1`);
    await until(() => w2.events.length === 1, 'second watch sees the event');
    expect(w.events).toEqual([]);
    expect(w.ended).toBe(false);
    api.closeWatches();
    await until(() => w.ended && w2.ended, 'watches closed');

    await api.down();
    await expect(fetch(`${api.url}/version`)).rejects.toThrow();
    await api.up();
    expect((await getJson(`${api.url}/version`)).status).toBe(200);
  });

  it('serves streaming lists: initial ADDED events, then the initial-events-end bookmark', async () => {
    const api = await start();
    api.create('pods', pod('p1'));
    const w = openWatch(
      `${api.url}/api/v1/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    );
    await until(() => w.events.length === 2, 'initial events');
    expect(w.events.map((e: Json) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(w.events[1].object.metadata).toEqual({
      resourceVersion: api.resourceVersion,
      annotations: { 'k8s.io/initial-events-end': 'true' },
    });
    w.close();
  });

  it('starts a watch without resourceVersion with synthetic ADDED events', async () => {
    const api = await start();
    api.create('nodes', { metadata: { name: 'n1' } });
    const w = openWatch(`${api.url}/api/v1/nodes?watch=1`);
    await until(() => w.events.length === 1, 'synthetic add');
    expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { kind: 'Node', metadata: { name: 'n1' } } });
    w.close();
  });
});
