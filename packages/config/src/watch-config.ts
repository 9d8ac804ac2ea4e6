import { createHash } from 'node:crypto';
import { type FSWatcher, watch as fsWatch, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  asyncScheduler,
  concatMap,
  debounceTime,
  defer,
  merge,
  Observable,
  of,
  type SchedulerLike,
  Subject,
} from 'rxjs';
import { ConfigError } from './errors.js';
import { type LoadConfigOptions, loadConfigFileWithSources } from './load-config.js';
import type { PrometheusConfig } from './types.js';

/** One outcome of (re)loading the watched configuration. */
export type ConfigLoadEvent =
  | {
      readonly ok: true;
      readonly config: PrometheusConfig;
      /** SHA-256 over the main file and every `scrape_config_files` match, hex. */
      readonly hash: string;
    }
  | { readonly ok: false; readonly error: ConfigError };

/** Options of {@link watchConfig}. */
export interface WatchConfigOptions extends Omit<LoadConfigOptions, 'filename'> {
  /** Changes closer together than this are one reload. @defaultValue `200` */
  readonly debounceMs?: number;
  /** Reload on SIGHUP, as Prometheus does. @defaultValue `true` */
  readonly sighup?: boolean;
  /** Each emission asks for a reload (e.g. an HTTP `/-/reload` endpoint). */
  readonly trigger?: Observable<unknown>;
  /** Scheduler of the debounce. @defaultValue `asyncScheduler` @internal */
  readonly scheduler?: SchedulerLike;
  /** Replaces `fs.watch` (tests). @internal */
  readonly watch?: (dir: string, onChange: () => void) => { close(): void };
  /** Replaces `process` as the source of SIGHUP (tests). @internal */
  readonly signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * Watches a configuration file and emits a {@link ConfigLoadEvent} for the first load and for every
 * change of content afterwards.
 *
 * It watches the file's **directory**, not the file, so that atomic renames by editors and the `..data`
 * symlink swap of Kubernetes ConfigMaps are seen (and the directories of its `scrape_config_files`
 * patterns, as of the last good load); it also reloads on SIGHUP and on each `trigger`
 * emission. Bursts are debounced, and a reload whose files hash the same as the last one emits
 * nothing. A failed load emits `{ ok: false }` and the stream goes on: the consumer keeps the last good
 * config in force (Prometheus's behaviour) and reports the error.
 *
 * Cold: each subscription has its own watcher, signal listener and timers, all released on unsubscribe.
 *
 * ```
 * file edits:   --a-a-a--------b------b'(same content)--
 * events:       o-------(ok a)----(ok b)----------------   (o = initial load)
 * ```
 */
export function watchConfig(path: string, options: WatchConfigOptions = {}): Observable<ConfigLoadEvent> {
  const { debounceMs = 200, sighup = true, trigger, scheduler = asyncScheduler } = options;
  const loadOptions: Omit<LoadConfigOptions, 'filename'> = {
    ...(options.baseDir !== undefined ? { baseDir: options.baseDir } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  };
  return new Observable<ConfigLoadEvent>((subscriber) => {
    const changes = new Subject<void>();
    const poke = () => changes.next();

    const watchFn =
      options.watch ??
      ((dir: string, onChange: () => void) => {
        const w: FSWatcher = fsWatch(dir, { persistent: false }, onChange);
        // A watcher error (directory removed) must not crash the process; the next SIGHUP or trigger
        // still reloads.
        w.on('error', () => undefined);
        return w;
      });
    const mainDir = dirname(resolve(path));
    // One watcher per directory: the main file's, plus those of its `scrape_config_files` patterns,
    // reconciled after every successful load.
    const watchers = new Map<string, { close(): void }>([[mainDir, watchFn(mainDir, poke)]]);
    let closed = false;
    const watchDirs = (config: PrometheusConfig) => {
      // A load can finish after unsubscribe; it must not open watchers nobody will close.
      if (closed) return;
      const wanted = new Set([mainDir, ...(config.scrapeConfigFiles ?? []).map((p) => dirname(resolve(p)))]);
      // When the file is a symlink into another directory, edits happen there.
      try {
        wanted.add(dirname(realpathSync(path)));
      } catch {
        // Gone again already; the next change or SIGHUP reloads.
      }
      for (const [dir, w] of watchers) {
        if (!wanted.has(dir)) {
          w.close();
          watchers.delete(dir);
        }
      }
      for (const dir of wanted) {
        if (!watchers.has(dir)) {
          try {
            watchers.set(dir, watchFn(dir, poke));
          } catch {
            // The directory may not exist (yet); the main directory's watcher and SIGHUP still work.
          }
        }
      }
    };
    const signals = options.signals ?? process;
    if (sighup) signals.on('SIGHUP', poke);
    const triggerSub = trigger?.subscribe({ next: poke, error: () => undefined });

    let lastHash: string | undefined;
    const pipeline = merge(of(undefined), changes.pipe(debounceTime(debounceMs, scheduler)))
      .pipe(
        // One load at a time, in order: a reload requested during a load runs after it.
        concatMap(() => defer(() => attempt())),
      )
      .subscribe({
        next: (event) => {
          if (event) subscriber.next(event);
        },
        error: (err) => subscriber.error(err),
      });

    async function attempt(): Promise<ConfigLoadEvent | undefined> {
      const sources = new Map<string, string>();
      try {
        const { config } = await loadConfigFileWithSources(path, loadOptions, sources);
        watchDirs(config);
        const hash = hashSources(sources);
        if (hash === lastHash) return undefined;
        lastHash = hash;
        return { ok: true, config, hash };
      } catch (err) {
        const error =
          err instanceof ConfigError
            ? err
            : new ConfigError(String((err as Error)?.message ?? err), { file: path });
        // The same broken content is reported once, not on every unrelated change in the directory.
        const hash = `error:${hashSources(sources)}:${error.message}`;
        if (hash === lastHash) return undefined;
        lastHash = hash;
        return { ok: false, error };
      }
    }

    return () => {
      pipeline.unsubscribe();
      triggerSub?.unsubscribe();
      if (sighup) signals.off('SIGHUP', poke);
      closed = true;
      for (const w of watchers.values()) w.close();
      watchers.clear();
      changes.complete();
    };
  });
}

function hashSources(sources: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  for (const [file, text] of sources) {
    h.update(file);
    h.update('\0');
    h.update(text);
    h.update('\0');
  }
  return h.digest('hex');
}
