import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, type Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './errors.js';
import { type ConfigLoadEvent, watchConfig } from './watch-config.js';

/** Collects events and hands them out in order, waiting for the next one when none is queued. */
class EventQueue {
  private readonly queued: ConfigLoadEvent[] = [];
  private waiting: ((e: ConfigLoadEvent) => void) | undefined;

  push = (e: ConfigLoadEvent): void => {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w(e);
    } else this.queued.push(e);
  };

  next(): Promise<ConfigLoadEvent> {
    const e = this.queued.shift();
    if (e) return Promise.resolve(e);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  get pending(): number {
    return this.queued.length;
  }
}

function jobOf(e: ConfigLoadEvent): string | undefined {
  return e.ok ? e.config.scrapeConfigs[0]?.jobName : undefined;
}

const job = (name: string) => `scrape_configs: [{job_name: ${name}}]\n`;

/**
 * Replaces a file by rename, so a load running concurrently reads the old or the new content, never a
 * truncated file.
 */
async function writeAtomic(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

describe('watchConfig with injected watcher and signals', () => {
  let dir: string;
  let file: string;
  let onChange: (() => void) | undefined;
  let closed: number;
  let watched: string[];
  let signals: EventEmitter;
  let sub: Subscription | undefined;

  const fakeWatch = (dir: string, cb: () => void) => {
    onChange = cb;
    watched.push(dir);
    return {
      close: () => {
        closed++;
        watched.splice(watched.indexOf(dir), 1);
      },
    };
  };

  beforeEach(async () => {
    // RxJS's debounce reads the clock (Date.now) as well as setting timers, so both are faked.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    dir = await mkdtemp(join(tmpdir(), 'sw-watch-'));
    file = join(dir, 'prometheus.yml');
    closed = 0;
    watched = [];
    signals = new EventEmitter();
    onChange = undefined;
  });

  afterEach(async () => {
    sub?.unsubscribe();
    vi.useRealTimers();
    await rm(dir, { recursive: true, force: true });
  });

  function start(extra: { trigger?: Subject<void> } = {}) {
    const q = new EventQueue();
    sub = watchConfig(file, {
      debounceMs: 200,
      watch: fakeWatch,
      signals: signals as unknown as NodeJS.Process,
      ...extra,
    }).subscribe(q.push);
    return q;
  }

  it('emits the first load, then one reload per debounced burst of changes', async () => {
    await writeAtomic(file, job('a'));
    const q = start();
    const first = await q.next();
    expect(first.ok && first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(jobOf(first)).toBe('a');

    await writeAtomic(file, job('b'));
    onChange!();
    await vi.advanceTimersByTimeAsync(150);
    onChange!();
    await vi.advanceTimersByTimeAsync(150);
    onChange!();
    // The quiet period restarts with every change: the debounce timer is still pending.
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(vi.getTimerCount()).toBe(0);
    expect(jobOf(await q.next())).toBe('b');
  });

  it('emits nothing when the content did not change', async () => {
    await writeAtomic(file, job('a'));
    const q = start();
    const first = await q.next();
    onChange!();
    await vi.advanceTimersByTimeAsync(200);
    // Loads run one after another, so the next event after a real change proves the unchanged reload
    // emitted nothing.
    await writeAtomic(file, job('c'));
    onChange!();
    await vi.advanceTimersByTimeAsync(200);
    const next = await q.next();
    expect(jobOf(next)).toBe('c');
    expect(next.ok && first.ok && next.hash !== first.hash).toBe(true);
  });

  it('reports a broken file once and recovers when it is fixed', async () => {
    await writeAtomic(file, job('a'));
    const q = start();
    await q.next();
    await writeAtomic(file, 'scrape_configs:\n  - job_name: a\n    scrape_timeout: 1x\n');
    onChange!();
    await vi.advanceTimersByTimeAsync(200);
    const failed = await q.next();
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error).toBeInstanceOf(ConfigError);
      expect(failed.error.line).toBe(3);
    }
    onChange!(); // same broken content: not reported again
    await vi.advanceTimersByTimeAsync(200);
    await writeAtomic(file, job('fixed'));
    onChange!();
    await vi.advanceTimersByTimeAsync(200);
    expect(jobOf(await q.next())).toBe('fixed');
  });

  it('reloads on SIGHUP and on the trigger', async () => {
    await writeAtomic(file, job('a'));
    const trigger = new Subject<void>();
    const q = start({ trigger });
    await q.next();
    await writeAtomic(file, job('hup'));
    signals.emit('SIGHUP');
    await vi.advanceTimersByTimeAsync(200);
    expect(jobOf(await q.next())).toBe('hup');
    await writeAtomic(file, job('triggered'));
    trigger.next();
    await vi.advanceTimersByTimeAsync(200);
    expect(jobOf(await q.next())).toBe('triggered');
  });

  it('releases the watcher, the SIGHUP listener, the trigger and timers on unsubscribe', async () => {
    await writeAtomic(file, job('a'));
    const trigger = new Subject<void>();
    const q = start({ trigger });
    await q.next();
    expect(signals.listenerCount('SIGHUP')).toBe(1);
    expect(trigger.observed).toBe(true);
    onChange!(); // leaves a debounce timer pending
    expect(vi.getTimerCount()).toBe(1);
    sub!.unsubscribe();
    expect(closed).toBe(1);
    expect(signals.listenerCount('SIGHUP')).toBe(0);
    expect(trigger.observed).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('also watches the directories of scrape_config_files, as of the last good load', async () => {
    await mkdir(join(dir, 'jobs'));
    await writeAtomic(file, `scrape_config_files: [jobs/*.yml]\n${job('a')}`);
    const q = start();
    await q.next();
    expect(watched.sort()).toEqual([dir, join(dir, 'jobs')].sort());
    await writeAtomic(file, job('b'));
    onChange!();
    await vi.advanceTimersByTimeAsync(200);
    expect(jobOf(await q.next())).toBe('b');
    expect(watched).toEqual([dir]);
    sub!.unsubscribe();
    expect(watched).toEqual([]);
  });

  it('is cold: nothing is watched before subscribe', () => {
    watchConfig(file, { watch: fakeWatch, signals: signals as unknown as NodeJS.Process });
    expect(onChange).toBeUndefined();
    expect(signals.listenerCount('SIGHUP')).toBe(0);
  });
});

describe('watchConfig on the real file system', () => {
  let dir: string;
  let sub: Subscription | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-watch-fs-'));
  });
  afterEach(async () => {
    sub?.unsubscribe();
    await rm(dir, { recursive: true, force: true });
  });

  it('sees an atomic rename over the file, as editors do', async () => {
    const file = join(dir, 'prometheus.yml');
    await writeFile(file, job('before'));
    const q = new EventQueue();
    sub = watchConfig(file, { debounceMs: 20, sighup: false }).subscribe(q.push);
    expect(jobOf(await q.next())).toBe('before');
    await writeFile(join(dir, '.prometheus.yml.tmp'), job('after'));
    await rename(join(dir, '.prometheus.yml.tmp'), file);
    expect(jobOf(await q.next())).toBe('after');
  });

  it('follows a file that is a symlink into another directory', async () => {
    await mkdir(join(dir, 'real'));
    await mkdir(join(dir, 'etc'));
    await writeFile(join(dir, 'real', 'p.yml'), job('one'));
    await symlink(join(dir, 'real', 'p.yml'), join(dir, 'etc', 'prometheus.yml'));
    const q = new EventQueue();
    sub = watchConfig(join(dir, 'etc', 'prometheus.yml'), { debounceMs: 20, sighup: false }).subscribe(
      q.push,
    );
    expect(jobOf(await q.next())).toBe('one');
    await writeFile(join(dir, 'real', 'p.tmp'), job('two'));
    await rename(join(dir, 'real', 'p.tmp'), join(dir, 'real', 'p.yml'));
    expect(jobOf(await q.next())).toBe('two');
  });

  it("sees a Kubernetes ConfigMap '..data' symlink swap", async () => {
    // The kubelet's layout: timestamped dirs, `..data` pointing at the live one, and the file a symlink
    // through `..data`. An update writes a new dir and renames a new `..data` link over the old one.
    await mkdir(join(dir, '..2026_01'));
    await writeFile(join(dir, '..2026_01', 'prometheus.yml'), job('v1'));
    await symlink('..2026_01', join(dir, '..data'));
    await symlink(join('..data', 'prometheus.yml'), join(dir, 'prometheus.yml'));
    const q = new EventQueue();
    sub = watchConfig(join(dir, 'prometheus.yml'), { debounceMs: 20, sighup: false }).subscribe(q.push);
    expect(jobOf(await q.next())).toBe('v1');
    await mkdir(join(dir, '..2026_02'));
    await writeFile(join(dir, '..2026_02', 'prometheus.yml'), job('v2'));
    await symlink('..2026_02', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    expect(jobOf(await q.next())).toBe('v2');
    expect(q.pending).toBe(0);
  });
});
