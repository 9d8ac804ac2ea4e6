import { noopLogger } from '@scrapewire/model';
import { asyncScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KubernetesApiError, WatchInactivityError } from './errors.js';
import { Informer, type InformerOptions } from './informer.js';
import type { KubeHttpClient, WatchHandlers } from './kube-http-client.js';

/** A scripted client: `lists` answers the list calls in order; watches are recorded for the test to drive. */
class StubClient {
  readonly listCalls: number[] = [];
  readonly watches: {
    at: number;
    query: Record<string, string>;
    handlers: WatchHandlers;
    aborted: boolean;
  }[] = [];
  constructor(readonly lists: (() => unknown)[]) {}

  list(): Promise<unknown> {
    this.listCalls.push(Date.now());
    const next = this.lists.shift();
    if (!next) return Promise.reject(new KubernetesApiError('no more lists', 503));
    try {
      return Promise.resolve(next());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  watch(_path: string, query: Record<string, string>, handlers: WatchHandlers): () => void {
    const w = { at: Date.now(), query, handlers, aborted: false };
    this.watches.push(w);
    return () => {
      w.aborted = true;
    };
  }
}

const obj = (name: string, rv: string) => ({ metadata: { name, namespace: 'ns', resourceVersion: rv } });
const list =
  (rv: string, ...items: unknown[]) =>
  () => ({ metadata: { resourceVersion: rv }, items });
const fail = () => {
  throw new KubernetesApiError('HTTP 503', 503);
};

function informer(client: StubClient, extra: Partial<InformerOptions> = {}) {
  const events: string[] = [];
  const failures: Error[] = [];
  const inf = new Informer({
    resource: 'pods',
    path: '/api/v1/pods',
    client: client as unknown as KubeHttpClient,
    scheduler: asyncScheduler,
    logger: noopLogger,
    metrics: { onFailure: (_r, e) => failures.push(e) },
    watchInactivityTimeoutMs: 1_000,
    watchTimeoutSeconds: 300,
    listTimeoutMs: 60_000,
    backoff: { initialMs: 1_000, maxMs: 4_000 },
    onEvent: (kind, o) => events.push(`${kind} ${o.metadata.name}`),
    onSynced: () => events.push('synced'),
    ...extra,
  });
  return { inf, events, failures };
}

let t0 = 0;
beforeEach(() => {
  vi.useFakeTimers();
  t0 = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Informer (virtual time)', () => {
  it('retries a failing list with exponential backoff capped at maxMs', async () => {
    const client = new StubClient([fail, fail, fail, fail, fail, fail]);
    const { inf, failures } = informer(client);
    inf.start();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(client.listCalls.map((t) => t - t0)).toEqual([0, 1_000, 3_000, 7_000, 11_000, 15_000, 19_000]);
    expect(failures).toHaveLength(7);
    inf.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('restarts a silent watch after the inactivity timeout; bookmarks keep it alive', async () => {
    const client = new StubClient([list('5', obj('a', '5'))]);
    const { inf, failures } = informer(client);
    inf.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(client.watches).toHaveLength(1);
    expect(client.watches[0]!.query).toMatchObject({ resourceVersion: '5', allowWatchBookmarks: 'true' });
    await vi.advanceTimersByTimeAsync(999);
    client.watches[0]!.handlers.onLine(
      JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '7' } } }),
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(client.watches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2);
    expect(client.watches).toHaveLength(2);
    expect(client.watches[0]!.aborted).toBe(true);
    expect(client.watches[1]!.query.resourceVersion).toBe('7');
    expect(failures[0]).toBeInstanceOf(WatchInactivityError);
    inf.stop();
    expect(client.watches[1]!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('relists on a 410 ERROR event and emits only the differences', async () => {
    const client = new StubClient([
      list('10', obj('a', '1'), obj('b', '2')),
      list('20', obj('a', '1'), obj('c', '15'), obj('d', '16')),
    ]);
    const { inf, events } = informer(client);
    inf.start();
    await vi.advanceTimersByTimeAsync(0);
    client.watches[0]!.handlers.onLine(JSON.stringify({ type: 'MODIFIED', object: obj('d', '12') }));
    client.watches[0]!.handlers.onLine(
      JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410 } }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['add a', 'add b', 'synced', 'add d', 'add c', 'update d', 'delete b']);
    expect(client.watches[0]!.aborted).toBe(true);
    expect(client.watches[1]!.query.resourceVersion).toBe('20');
    inf.stop();
  });

  it('re-watches at once after a clean close with events, after backoff without; relists on HTTP 410', async () => {
    const client = new StubClient([list('1'), list('9')]);
    const { inf } = informer(client);
    inf.start();
    await vi.advanceTimersByTimeAsync(0);
    client.watches[0]!.handlers.onLine(JSON.stringify({ type: 'ADDED', object: obj('x', '3') }));
    client.watches[0]!.handlers.onEnd();
    expect(client.watches.map((w) => w.at - t0)).toEqual([0, 0]);
    expect(client.watches[1]!.query.resourceVersion).toBe('3');
    client.watches[1]!.handlers.onEnd();
    await vi.advanceTimersByTimeAsync(999);
    expect(client.watches).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(client.watches).toHaveLength(3);
    client.watches[2]!.handlers.onEnd(new KubernetesApiError('gone', 410));
    await vi.advanceTimersByTimeAsync(0);
    expect(client.listCalls).toHaveLength(2);
    expect(client.watches[3]!.query.resourceVersion).toBe('9');
    inf.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a failing watch backs off and resumes from the same resourceVersion without relisting', async () => {
    const client = new StubClient([list('4', obj('a', '4'))]);
    const { inf, events } = informer(client);
    inf.start();
    await vi.advanceTimersByTimeAsync(0);
    client.watches[0]!.handlers.onEnd(new KubernetesApiError('HTTP 500', 500));
    await vi.advanceTimersByTimeAsync(1_000);
    client.watches[1]!.handlers.onEnd(new KubernetesApiError('connection refused'));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(client.watches.map((w) => [w.at - t0, w.query.resourceVersion])).toEqual([
      [0, '4'],
      [1_000, '4'],
      [3_000, '4'],
    ]);
    expect(client.listCalls).toHaveLength(1);
    expect(events).toEqual(['add a', 'synced']);
    inf.stop();
  });
});
