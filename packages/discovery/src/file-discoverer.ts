import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { expandFilePattern, type FileSDConfig } from '@scrapewire/config';
import { InvalidOptionsError, type TargetGroup, noopLogger } from '@scrapewire/model';
import { Observable, asyncScheduler, interval } from 'rxjs';
import type { Discoverer, DiscovererContext } from './discoverer.js';
import { DiscoveryError, DiscoveryErrorCode } from './errors.js';
import { GroupTracker } from './group-tracker.js';
import { noopDiscoveryMetrics } from './metrics.js';
import { parseTargetGroupsJson, parseTargetGroupsYaml } from './target-group-parse.js';

/** The label file_sd puts on every group: the path of the file it came from. */
export const FILE_SD_FILEPATH_LABEL = '__meta_filepath';

// Prometheus's rule for `files` entries: a `*` only in the last segment, and a .json/.yml/.yaml extension.
const VALID_FILE_PATTERN = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;

/** The source Prometheus gives the `index`-th group of `path`. */
export function fileSource(path: string, index: number): string {
  return `${path}:${index}`;
}

/** Reads one file_sd file into target groups (source `<path>:<index>`, `__meta_filepath` set). */
export async function readTargetGroupFile(path: string): Promise<TargetGroup[]> {
  const text = await readFile(path, 'utf8');
  const ext = extname(path).toLowerCase();
  let parsed: ReturnType<typeof parseTargetGroupsJson>;
  if (ext === '.json') parsed = parseTargetGroupsJson(text, path);
  else if (ext === '.yml' || ext === '.yaml') parsed = parseTargetGroupsYaml(text, path);
  else throw new DiscoveryError(DiscoveryErrorCode.FileRead, `${path}: unhandled file extension "${ext}"`);
  return parsed.map((g, i) => ({
    source: fileSource(path, i),
    targets: g.targets,
    labels: { ...g.labels, [FILE_SD_FILEPATH_LABEL]: path },
  }));
}

/**
 * File-based service discovery (`file_sd_configs`), as Prometheus's `discovery/file`.
 *
 * On subscribe, and then on every change in a watched directory and every `refreshIntervalMs`, it expands
 * the patterns (`*` allowed in the last segment), reads every matching JSON or YAML file, and emits the
 * groups that changed. A file that fails to read or parse keeps its last good groups (logged, counted in
 * `incFileReadErrors`); a file that disappears has its groups sent once with no targets. It watches the
 * directory of each pattern (not the files, so editors that replace files by renaming are seen), and
 * retries a directory it could not watch on the next refresh.
 *
 * Relative patterns are resolved against `ctx.baseDir` when given. Unsubscribing closes every watcher and
 * the timer; a refresh in flight finishes reading but emits nothing.
 *
 * @throws InvalidOptionsError when `files` is empty or a pattern is not a valid file_sd pattern.
 */
export function fileDiscoverer(config: FileSDConfig, ctx?: DiscovererContext): Discoverer {
  if (config.files.length === 0) {
    throw new InvalidOptionsError(
      'file service discovery config must contain at least one path name',
      'files',
    );
  }
  config.files.forEach((f, i) => {
    if (!VALID_FILE_PATTERN.test(f)) {
      throw new InvalidOptionsError(
        `path name ${JSON.stringify(f)} is not valid for file discovery`,
        `files[${i}]`,
      );
    }
  });
  if (!(config.refreshIntervalMs > 0)) {
    throw new InvalidOptionsError('refresh interval must be positive', 'refreshIntervalMs');
  }
  const logger = ctx?.logger ?? noopLogger;
  const metrics = ctx?.metrics ?? noopDiscoveryMetrics;
  const scheduler = ctx?.scheduler ?? asyncScheduler;
  const configName = ctx?.configName ?? '';
  const baseDir = ctx?.baseDir;
  const patterns = config.files.map((f) => (baseDir !== undefined && !isAbsolute(f) ? join(baseDir, f) : f));
  // Go's filepath.Split leaves "" for a bare file name; Prometheus then watches "./".
  const watchDirs = [...new Set(patterns.map((p) => (p.includes('/') ? dirname(p) : '.')))];

  return new Observable<TargetGroup[]>((subscriber) => {
    const tracker = new GroupTracker();
    const watchers = new Map<string, { watcher: FSWatcher; ino: number | undefined }>();
    let lastGood = new Map<string, TargetGroup[]>();
    let closed = false;
    let running = false;
    let again = false;

    // Watches keyed by directory, with the inode they were set on: a directory deleted and created again
    // is a new inode that the old watch no longer sees, so it is watched afresh (Prometheus re-adds its
    // fsnotify watches after every refresh for the same reason).
    const watchDirectories = async (): Promise<void> => {
      for (const dir of watchDirs) {
        let ino: number | undefined;
        try {
          ino = (await stat(dir)).ino;
        } catch {
          ino = undefined;
        }
        if (closed) return;
        const current = watchers.get(dir);
        if (current !== undefined && current.ino === ino) continue;
        current?.watcher.close();
        watchers.delete(dir);
        try {
          const w = watch(dir, { persistent: true }, () => requestRefresh());
          w.on('error', (err) => {
            // The directory became unwatchable: drop the watch and retry on the next refresh.
            logger.error({ path: dir, err }, 'error watching file_sd directory');
            metrics.incFileWatcherErrors();
            w.close();
            if (watchers.get(dir)?.watcher === w) watchers.delete(dir);
          });
          watchers.set(dir, { watcher: w, ino });
        } catch (err) {
          logger.error({ path: dir, err }, 'error adding file watch');
        }
      }
    };

    const refreshOnce = async (): Promise<void> => {
      const t0 = performance.now();
      const files: string[] = [];
      for (const p of patterns) files.push(...(await expandFilePattern(p)));
      const next = new Map<string, TargetGroup[]>();
      for (const path of files) {
        if (next.has(path)) continue;
        try {
          next.set(path, await readTargetGroupFile(path));
        } catch (cause) {
          metrics.incFileReadErrors();
          const err =
            cause instanceof DiscoveryError
              ? cause
              : new DiscoveryError(DiscoveryErrorCode.FileRead, `${path}: ${(cause as Error).message}`, {
                  cause,
                });
          logger.error({ path, err, code: err.code }, 'error reading file_sd file');
          // Keep what this file last gave us rather than dropping its targets on a bad write.
          const prev = lastGood.get(path);
          if (prev !== undefined) next.set(path, prev);
        }
      }
      if (closed) return;
      lastGood = next;
      const seconds = (performance.now() - t0) / 1000;
      metrics.observeFileScanDuration(seconds);
      metrics.observeRefreshDuration('file', configName, seconds);
      // Arm the watches before emitting, so a consumer reacting to this emission by writing a file is seen.
      await watchDirectories();
      if (closed) return;
      const changed = tracker.update([...next.values()].flat());
      if (changed !== undefined) subscriber.next(changed);
    };

    // One refresh at a time; events arriving meanwhile collapse into one more pass, so a burst of writes
    // costs at most two reads of the files.
    const requestRefresh = (): void => {
      if (closed) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      void (async () => {
        try {
          do {
            again = false;
            await refreshOnce();
          } while (again && !closed);
        } catch (err) {
          logger.error({ err }, 'file_sd refresh failed');
        } finally {
          running = false;
        }
      })();
    };

    const timer = interval(config.refreshIntervalMs, scheduler).subscribe(() => requestRefresh());
    requestRefresh();

    return () => {
      closed = true;
      timer.unsubscribe();
      for (const w of watchers.values()) w.watcher.close();
      watchers.clear();
    };
  });
}
