import type { FileSDConfig, ServiceDiscoveryConfigs, StaticConfig } from '@scrapewire/config';
import type { TargetGroup } from '@scrapewire/model';
import { type Observable, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it, vi } from 'vitest';
import type { Discoverer } from './discoverer.js';
import { type DiscoveryJob, discoverTargets } from './manager.js';
import { type DiscoveryMetrics, noopDiscoveryMetrics } from './metrics.js';
import { createDiscovererRegistry } from './registry.js';
import { staticDiscoverer } from './static-discoverer.js';

const sd = (p: Partial<ServiceDiscoveryConfigs>): ServiceDiscoveryConfigs => ({
  staticConfigs: [],
  fileSdConfigs: [],
  httpSdConfigs: [],
  kubernetesSdConfigs: [],
  ...p,
});
// Fresh objects every call, so sharing has to come from deep equality, not identity.
const file = (name: string): FileSDConfig => ({ files: [name], refreshIntervalMs: 60_000 });
const job = (jobName: string, ...files: string[]): DiscoveryJob => ({
  jobName,
  serviceDiscovery: sd({ fileSdConfigs: files.map(file) }),
});
const grp = (source: string, ...addrs: string[]): TargetGroup => ({
  source,
  targets: addrs.map((a) => ({ __address__: a })),
  labels: {},
});
const sets = (...entries: [string, TargetGroup[]][]) => new Map(entries);

function newScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A registry whose `file` mechanism returns the fake discoverer named by the config's first path. */
function fakeRegistry(fakes: Record<string, Discoverer>) {
  const factory = vi.fn((c: FileSDConfig) => {
    const d = fakes[c.files[0]!];
    if (d === undefined) throw new Error(`no fake for ${c.files[0]}`);
    return d;
  });
  const registry = createDiscovererRegistry().register('file', factory).register('static', staticDiscoverer);
  return { registry, factory };
}

describe('discoverTargets', () => {
  it('should send the first update at once and merge later ones into the next 5 s tick', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const x = cold<TargetGroup[]>('a 1s b 1s c 10s d', {
        a: [grp('x:0', 'h1')],
        b: [grp('x:0', 'h1', 'h2')],
        c: [grp('x:1', 'h3')],
        d: [grp('x:1')],
      });
      const { registry } = fakeRegistry({ x });
      const jobs$ = cold<readonly DiscoveryJob[]>('a', { a: [job('j', 'x')] });
      expectObservable(discoverTargets(jobs$, { registry }), '^ 19999ms !').toBe('a 4999ms b 7002ms c', {
        a: sets(['j', [grp('x:0', 'h1')]]),
        b: sets(['j', [grp('x:0', 'h1', 'h2'), grp('x:1', 'h3')]]),
        c: sets(['j', [grp('x:0', 'h1', 'h2')]]),
      });
      expectSubscriptions(x.subscriptions).toBe('^ 19999ms !');
      expectSubscriptions(jobs$.subscriptions).toBe('^ 19999ms !');
    });
  });

  it('should honour a custom updateIntervalMs, and 0 sends every update', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const x = cold<TargetGroup[]>('a 9ms b', { a: [grp('s', 'h1')], b: [grp('s', 'h2')] });
      const jobs$ = cold<readonly DiscoveryJob[]>('a', { a: [job('j', 'x')] });
      const { registry } = fakeRegistry({ x });
      expectObservable(discoverTargets(jobs$, { registry, updateIntervalMs: 0 })).toBe('a 9ms b', {
        a: sets(['j', [grp('s', 'h1')]]),
        b: sets(['j', [grp('s', 'h2')]]),
      });
    });
    newScheduler().run(({ cold, expectObservable }) => {
      const x = cold<TargetGroup[]>('a 9ms b', { a: [grp('s', 'h1')], b: [grp('s', 'h2')] });
      const jobs$ = cold<readonly DiscoveryJob[]>('a', { a: [job('j', 'x')] });
      const { registry } = fakeRegistry({ x });
      expectObservable(discoverTargets(jobs$, { registry, updateIntervalMs: 100 })).toBe('a 99ms b', {
        a: sets(['j', [grp('s', 'h1')]]),
        b: sets(['j', [grp('s', 'h2')]]),
      });
    });
  });

  it('should share one provider between deep-equal configs of different jobs', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const x = cold<TargetGroup[]>('a', { a: [grp('x:0', 'h1')] });
      const { registry, factory } = fakeRegistry({ x });
      const jobs$ = cold<readonly DiscoveryJob[]>('a', { a: [job('j1', 'x'), job('j2', 'x', 'x')] });
      expectObservable(discoverTargets(jobs$, { registry })).toBe('a', {
        a: sets(['j1', [grp('x:0', 'h1')]], ['j2', [grp('x:0', 'h1')]]),
      });
      expectSubscriptions(x.subscriptions).toBe('^');
      flush();
      expect(factory).toHaveBeenCalledTimes(1);
    });
  });

  it('should share static_configs between jobs and give sources by index', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const statics = (): StaticConfig[] => [
        { targets: ['a:1', 'b:2'], labels: { env: 'prod' } },
        { targets: ['c:3'], labels: {} },
      ];
      const factory = vi.fn(staticDiscoverer);
      const registry = createDiscovererRegistry().register('static', factory);
      const jobs$ = cold<readonly DiscoveryJob[]>('a', {
        a: [
          { jobName: 'j1', serviceDiscovery: sd({ staticConfigs: statics() }) },
          { jobName: 'j2', serviceDiscovery: sd({ staticConfigs: statics() }) },
        ],
      });
      const groups: TargetGroup[] = [
        { source: '0', targets: [{ __address__: 'a:1' }, { __address__: 'b:2' }], labels: { env: 'prod' } },
        { source: '1', targets: [{ __address__: 'c:3' }], labels: {} },
      ];
      expectObservable(discoverTargets(jobs$, { registry })).toBe('a', {
        a: sets(['j1', groups], ['j2', groups]),
      });
    });
  });

  it('should restart only changed providers on reload, without flapping the unchanged ones', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const x = cold<TargetGroup[]>('a', { a: [grp('x:0', 'hx')] });
      const y = cold<TargetGroup[]>('a', { a: [grp('y:0', 'hy')] });
      const z = cold<TargetGroup[]>('a', { a: [grp('z:0', 'hz')] });
      const { registry, factory } = fakeRegistry({ x, y, z });
      const jobs$ = cold<readonly DiscoveryJob[]>('a 9s b', {
        a: [job('j1', 'x'), job('j2', 'y')],
        b: [job('j1', 'x'), job('j3', 'z')],
      });
      expectObservable(discoverTargets(jobs$, { registry })).toBe('a 9s b', {
        a: sets(['j1', [grp('x:0', 'hx')]], ['j2', [grp('y:0', 'hy')]]),
        b: sets(['j1', [grp('x:0', 'hx')]], ['j3', [grp('z:0', 'hz')]]),
      });
      expectSubscriptions(x.subscriptions).toBe('^');
      expectSubscriptions(y.subscriptions).toBe('^ 9s !');
      expectSubscriptions(z.subscriptions).toBe('- 9s ^');
      flush();
      expect(factory).toHaveBeenCalledTimes(3);
    });
  });

  it('should move a provider to a job that newly shares it, with its current groups', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const x = cold<TargetGroup[]>('a', { a: [grp('x:0', 'hx')] });
      const { registry } = fakeRegistry({ x });
      const jobs$ = cold<readonly DiscoveryJob[]>('a 9s b', {
        a: [job('j1', 'x')],
        b: [job('j2', 'x')],
      });
      expectObservable(discoverTargets(jobs$, { registry })).toBe('a 9s b', {
        a: sets(['j1', [grp('x:0', 'hx')]]),
        b: sets(['j2', [grp('x:0', 'hx')]]),
      });
      expectSubscriptions(x.subscriptions).toBe('^');
    });
  });

  it('should forget a group sent with no targets', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const x = cold<TargetGroup[]>('a 9s b', {
        a: [grp('x:0', 'h1'), grp('x:1', 'h2')],
        b: [grp('x:0')],
      });
      const { registry } = fakeRegistry({ x });
      const jobs$ = cold<readonly DiscoveryJob[]>('a', { a: [job('j', 'x')] });
      expectObservable(discoverTargets(jobs$, { registry })).toBe('a 9s b', {
        a: sets(['j', [grp('x:0', 'h1'), grp('x:1', 'h2')]]),
        b: sets(['j', [grp('x:1', 'h2')]]),
      });
    });
  });

  it('should send a job without SD configs as an empty list, and an empty job list as an empty map', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const jobs$ = cold<readonly DiscoveryJob[]>('a 9s b', {
        a: [{ jobName: 'empty', serviceDiscovery: sd({}) }],
        b: [],
      });
      const registry = createDiscovererRegistry().register('static', staticDiscoverer);
      expectObservable(discoverTargets(jobs$, { registry })).toBe('a 9s b', {
        a: sets(['empty', []]),
        b: sets(),
      });
    });
  });

  it('should count configs it cannot start and still send the job', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const metrics: DiscoveryMetrics = { ...noopDiscoveryMetrics, setFailedConfigs: vi.fn() };
      const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
      const { registry } = fakeRegistry({});
      const jobs$ = cold<readonly DiscoveryJob[]>('a', {
        a: [
          job('broken', 'missing-fake'),
          {
            jobName: 'nohttp',
            serviceDiscovery: sd({
              httpSdConfigs: [{ url: 'http://x', refreshIntervalMs: 1, httpClient: {} as never }],
            }),
          },
        ],
      });
      expectObservable(discoverTargets(jobs$, { registry, metrics, logger })).toBe('a', {
        a: sets(['broken', []], ['nohttp', []]),
      });
      flush();
      expect(metrics.setFailedConfigs).toHaveBeenCalledWith(2);
      expect(logger.error).toHaveBeenCalledTimes(2);
      expect(logger.error.mock.calls[1]![0]).toMatchObject({ code: 'SW_ERR_SD_UNKNOWN_MECHANISM' });
    });
  });

  it('should keep the groups of a provider that errored and restart it on the next reload', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const x = cold<TargetGroup[]>('a 1s #', { a: [grp('x:0', 'h1')] });
      const { registry } = fakeRegistry({ x });
      const jobs$ = cold<readonly DiscoveryJob[]>('a 9s b', { a: [job('j', 'x')], b: [job('j', 'x')] });
      expectObservable(discoverTargets(jobs$, { registry, logger: { ...silentLogger() } })).toBe('a 9s b', {
        a: sets(['j', [grp('x:0', 'h1')]]),
        b: sets(['j', [grp('x:0', 'h1')]]),
      });
      expectSubscriptions(x.subscriptions).toBe(['^ 1s !', '- 9s ^ 1s !']);
    });
  });

  it('should start a restarted provider from the groups of the one that errored, until it reports', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      let calls = 0;
      const first = cold<TargetGroup[]>('a 1s #', { a: [grp('x:0', 'h1'), grp('x:1', 'h2')] });
      const second = cold<TargetGroup[]>('- 2s a', { a: [grp('x:0', 'h1', 'h9')] });
      const registry = createDiscovererRegistry().register('file', () => (calls++ === 0 ? first : second));
      const jobs$ = cold<readonly DiscoveryJob[]>('a 9s b', { a: [job('j', 'x')], b: [job('j', 'x')] });
      // At the reload the old groups stay; the new provider's first (full) set then replaces them all.
      expectObservable(discoverTargets(jobs$, { registry, logger: silentLogger() })).toBe('a 9s b 4999ms c', {
        a: sets(['j', [grp('x:0', 'h1'), grp('x:1', 'h2')]]),
        b: sets(['j', [grp('x:0', 'h1'), grp('x:1', 'h2')]]),
        c: sets(['j', [grp('x:0', 'h1', 'h9')]]),
      });
    });
  });

  it('should not emit for an update that changes nothing', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const x = cold<TargetGroup[]>('a 9s b 9s c', {
        a: [grp('x:0', 'h1')],
        b: [grp('x:0', 'h1'), grp('x:1')],
        c: [grp('x:0', 'h2')],
      });
      const { registry } = fakeRegistry({ x });
      const jobs$ = cold<readonly DiscoveryJob[]>('a', { a: [job('j', 'x')] });
      expectObservable(discoverTargets(jobs$, { registry })).toBe('a 18001ms c', {
        a: sets(['j', [grp('x:0', 'h1')]]),
        c: sets(['j', [grp('x:0', 'h2')]]),
      });
    });
  });

  it('should report received, sent and delayed updates and discovered targets per job', () => {
    newScheduler().run(({ cold, expectObservable, flush }) => {
      const metrics = {
        ...noopDiscoveryMetrics,
        incReceivedUpdates: vi.fn(),
        incSentUpdates: vi.fn(),
        incDelayedUpdates: vi.fn(),
        setDiscoveredTargets: vi.fn(),
        deleteJob: vi.fn(),
      };
      const x = cold<TargetGroup[]>('a 1s b', { a: [grp('x:0', 'h1')], b: [grp('x:1', 'h2', 'h3')] });
      const { registry } = fakeRegistry({ x });
      const jobs$ = cold<readonly DiscoveryJob[]>('a 9s b', { a: [job('j', 'x')], b: [] });
      expectObservable(discoverTargets(jobs$, { registry, metrics })).toBe('a 4999ms b 4999ms c', {
        a: sets(['j', [grp('x:0', 'h1')]]),
        b: sets(['j', [grp('x:0', 'h1'), grp('x:1', 'h2', 'h3')]]),
        c: sets(),
      });
      flush();
      expect(metrics.incReceivedUpdates).toHaveBeenCalledTimes(2);
      expect(metrics.incSentUpdates).toHaveBeenCalledTimes(3);
      expect(metrics.incDelayedUpdates).toHaveBeenCalledTimes(2);
      expect(metrics.setDiscoveredTargets).toHaveBeenLastCalledWith('j', 3);
      expect(metrics.deleteJob).toHaveBeenCalledWith('j');
    });
  });

  it('should propagate an error of the jobs stream and stop its providers', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const x = cold<TargetGroup[]>('a', { a: [grp('x:0', 'h1')] });
      const { registry } = fakeRegistry({ x });
      const jobs$ = cold<readonly DiscoveryJob[]>('a 9s #', { a: [job('j', 'x')] }, new Error('bad config'));
      expectObservable(discoverTargets(jobs$, { registry })).toBe(
        'a 9s #',
        { a: sets(['j', [grp('x:0', 'h1')]]) },
        new Error('bad config'),
      );
      expectSubscriptions(x.subscriptions).toBe('^ 9s !');
    });
  });

  it('should be cold and reject a bad updateIntervalMs', () => {
    const factory = vi.fn(() => of([] as TargetGroup[]));
    const registry = createDiscovererRegistry().register('file', factory);
    discoverTargets(of([job('j', 'x')]) as Observable<readonly DiscoveryJob[]>, { registry });
    expect(factory).not.toHaveBeenCalled();
    expect(() => discoverTargets(of([]), { updateIntervalMs: -1 })).toThrow(/updateIntervalMs/);
  });
});

function silentLogger() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

describe('discoverTargets with a synchronous scheduler', () => {
  it('should send every update when queueScheduler runs the throttle actions inline', async () => {
    const { queueScheduler, Subject } = await import('rxjs');
    const updates = new Subject<TargetGroup[]>();
    const registry = createDiscovererRegistry().register('file', () => updates);
    const seen: TargetGroup[][] = [];
    const sub = discoverTargets(of([job('j', 'x')]), {
      registry,
      scheduler: queueScheduler,
      updateIntervalMs: 0,
    }).subscribe((s) => seen.push([...(s.get('j') ?? [])]));
    updates.next([grp('a', 'h1')]);
    updates.next([grp('a', 'h2')]);
    updates.next([grp('a', 'h3')]);
    sub.unsubscribe();
    expect(seen).toEqual([[grp('a', 'h1')], [grp('a', 'h2')], [grp('a', 'h3')]]);
  });
});
