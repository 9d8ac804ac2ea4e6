import { mkdir, mkdtemp, rm, unlink, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetGroup } from '@scrapewire/model';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DiscovererContext } from './discoverer.js';
import { trackArmedTimers } from '../test/armed-timers.js';
import { fileDiscoverer } from './file-discoverer.js';
import { noopDiscoveryMetrics } from './metrics.js';

/** Subscribes and hands out emissions one by one, each wait bounded so a missing event fails the test. */
function collect(obs: ReturnType<typeof fileDiscoverer>) {
  const queue: TargetGroup[][] = [];
  const waiters: ((g: TargetGroup[]) => void)[] = [];
  const sub = obs.subscribe((groups) => {
    const w = waiters.shift();
    if (w) w(groups);
    else queue.push(groups);
  });
  const next = (): Promise<TargetGroup[]> => {
    const q = queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no emission within 5 s')), 5000);
      waiters.push((g) => {
        clearTimeout(t);
        resolve(g);
      });
    });
  };
  return { sub, next, pending: () => queue.length };
}

function ctxWithSpies(extra: Partial<DiscovererContext> = {}) {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  let onReadError: () => void = () => {};
  const metrics = {
    ...noopDiscoveryMetrics,
    incFileReadErrors: vi.fn(() => onReadError()),
    observeRefreshDuration: vi.fn(),
  };
  const readError = () => new Promise<void>((resolve) => (onReadError = resolve));
  return { ctx: { logger, metrics, ...extra } as DiscovererContext, logger, metrics, readError };
}

const bySource = (groups: TargetGroup[]) => [...groups].sort((a, b) => a.source.localeCompare(b.source));

describe('fileDiscoverer', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-filesd-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('should read JSON and YAML files into groups with sources and __meta_filepath', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.yml');
    await writeFile(
      a,
      JSON.stringify([{ targets: ['h1:80', 'h2:80'], labels: { env: 'prod' } }, { targets: ['h3:80'] }]),
    );
    await writeFile(b, '- targets: [h4:9100]\n  labels: {__meta_filepath: overridden, team: x}\n');
    const { ctx } = ctxWithSpies();
    const c = collect(
      fileDiscoverer({ files: [join(dir, '*.json'), join(dir, '*.yml')], refreshIntervalMs: 600_000 }, ctx),
    );
    try {
      expect(bySource(await c.next())).toEqual([
        {
          source: `${a}:0`,
          targets: [{ __address__: 'h1:80' }, { __address__: 'h2:80' }],
          labels: { env: 'prod', __meta_filepath: a },
        },
        { source: `${a}:1`, targets: [{ __address__: 'h3:80' }], labels: { __meta_filepath: a } },
        {
          source: `${b}:0`,
          targets: [{ __address__: 'h4:9100' }],
          labels: { team: 'x', __meta_filepath: b },
        },
      ]);
    } finally {
      c.sub.unsubscribe();
    }
  });

  it('should follow changes: edits, a bad write that keeps the last groups, shrinking and deletion', async () => {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    await writeFile(a, JSON.stringify([{ targets: ['h1'] }, { targets: ['h2'] }]));
    await writeFile(b, JSON.stringify([{ targets: ['h3'] }]));
    const { ctx, metrics, logger, readError } = ctxWithSpies();
    const c = collect(fileDiscoverer({ files: [join(dir, '*.json')], refreshIntervalMs: 600_000 }, ctx));
    try {
      expect(await c.next()).toHaveLength(3);

      // An edit of one group: only that group comes again.
      await writeFile(a, JSON.stringify([{ targets: ['h1', 'h9'] }, { targets: ['h2'] }]));
      expect(await c.next()).toEqual([
        {
          source: `${a}:0`,
          targets: [{ __address__: 'h1' }, { __address__: 'h9' }],
          labels: { __meta_filepath: a },
        },
      ]);

      // A broken write is counted and logged; the file's groups stay (nothing is emitted for it).
      const failed = readError();
      await writeFile(a, '[{"targets": [');
      await failed;
      expect(metrics.incFileReadErrors).toHaveBeenCalled();
      expect(logger.error.mock.calls[0]![0]).toMatchObject({
        path: a,
        code: 'SW_ERR_SD_INVALID_TARGET_GROUPS',
      });

      // Fixed with one group fewer: the changed group, and the vanished source with no targets.
      await writeFile(a, JSON.stringify([{ targets: ['h1'] }]));
      expect(bySource(await c.next())).toEqual([
        { source: `${a}:0`, targets: [{ __address__: 'h1' }], labels: { __meta_filepath: a } },
        { source: `${a}:1`, targets: [], labels: {} },
      ]);

      // Deleting a file sends its groups empty once.
      await unlink(b);
      expect(await c.next()).toEqual([{ source: `${b}:0`, targets: [], labels: {} }]);
      // Atomic replace by rename (what config management tools do) is seen too.
      await writeFile(join(dir, 'tmp.new'), JSON.stringify([{ targets: ['h7'] }]));
      await rename(join(dir, 'tmp.new'), b);
      expect(await c.next()).toEqual([
        { source: `${b}:0`, targets: [{ __address__: 'h7' }], labels: { __meta_filepath: b } },
      ]);
      expect(c.pending()).toBe(0);
    } finally {
      c.sub.unsubscribe();
    }
  });

  it('should pick up files on the refresh interval where a directory could not be watched', async () => {
    const sub = join(dir, 'later');
    const scheduler = new VirtualTimeScheduler(VirtualAction, 1000);
    const { ctx, logger } = ctxWithSpies({ scheduler, baseDir: dir });
    const c = collect(fileDiscoverer({ files: ['later/*.yaml'], refreshIntervalMs: 1000 }, ctx));
    try {
      expect(await c.next()).toEqual([]);
      expect(logger.error.mock.calls[0]![1]).toBe('error adding file watch');
      await mkdir(sub);
      await writeFile(join(sub, 't.yaml'), '- targets: [x:1]\n');
      scheduler.flush(); // one refresh tick at 1000 ms of virtual time
      const f = join(dir, 'later', 't.yaml');
      expect(await c.next()).toEqual([
        { source: `${f}:0`, targets: [{ __address__: 'x:1' }], labels: { __meta_filepath: f } },
      ]);
    } finally {
      c.sub.unsubscribe();
    }
  });

  it('should watch a directory again after it was deleted and created anew', async () => {
    const sub = join(dir, 'sd');
    await mkdir(sub);
    await writeFile(join(sub, 'a.json'), JSON.stringify([{ targets: ['h1'] }]));
    const scheduler = new VirtualTimeScheduler(VirtualAction, 1000);
    const { ctx } = ctxWithSpies({ scheduler });
    const c = collect(fileDiscoverer({ files: [join(sub, '*.json')], refreshIntervalMs: 1000 }, ctx));
    const a = join(sub, 'a.json');
    try {
      expect(await c.next()).toHaveLength(1);
      await rm(sub, { recursive: true });
      expect(await c.next()).toEqual([{ source: `${a}:0`, targets: [], labels: {} }]);
      await mkdir(sub);
      await writeFile(a, JSON.stringify([{ targets: ['h2'] }]));
      // The old watch died with the directory; the periodic refresh finds the file and re-arms the watch.
      scheduler.flush();
      expect((await c.next())[0]!.targets).toEqual([{ __address__: 'h2' }]);
      await writeFile(a, JSON.stringify([{ targets: ['h3'] }]));
      expect((await c.next())[0]!.targets).toEqual([{ __address__: 'h3' }]);
    } finally {
      c.sub.unsubscribe();
    }
  });

  it('should leave no watcher or timer behind after unsubscribe', async () => {
    await writeFile(join(dir, 'a.json'), '[]');
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const watchers = count('FSEventWrap');
    const armed = trackArmedTimers();
    const c = collect(fileDiscoverer({ files: [join(dir, '*.json')], refreshIntervalMs: 600_000 }));
    await c.next();
    expect(count('FSEventWrap')).toBeGreaterThan(watchers);
    expect(armed.size).toBeGreaterThan(0);
    c.sub.unsubscribe();
    // Handles close asynchronously in libuv: give the loop a bounded number of turns to finish.
    for (let i = 0; i < 100 && count('FSEventWrap') > watchers; i++)
      await new Promise((r) => setImmediate(r));
    expect(count('FSEventWrap')).toBe(watchers);
    expect(armed.size).toBe(0);
  });

  it('should reject configs Prometheus rejects', () => {
    expect(() => fileDiscoverer({ files: [], refreshIntervalMs: 1000 })).toThrow(/at least one path/);
    expect(() => fileDiscoverer({ files: ['a/*/b.json'], refreshIntervalMs: 1000 })).toThrow(/not valid/);
    expect(() => fileDiscoverer({ files: ['a.txt'], refreshIntervalMs: 1000 })).toThrow(/not valid/);
  });
});
