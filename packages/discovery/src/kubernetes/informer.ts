import type { Logger } from '@scrapewire/model';
import type { SchedulerLike, Subscription } from 'rxjs';
import { type KubernetesApiError, WatchInactivityError } from './errors.js';
import type { KubeHttpClient } from './kube-http-client.js';
import { type KubeObject, objectKey } from './kube-objects.js';
import { type KubernetesEventKind, type KubernetesSDMetrics, safeCall } from './metrics.js';

/** Options of an {@link Informer}. */
export interface InformerOptions {
  /** The collection name, for logs and metrics (`pods`). */
  readonly resource: string;
  /** The collection path (`/api/v1/pods`, `/api/v1/namespaces/x/pods`). */
  readonly path: string;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
  readonly client: KubeHttpClient;
  readonly scheduler: SchedulerLike;
  readonly logger: Logger;
  readonly metrics: KubernetesSDMetrics;
  /** A watch that delivers nothing (bookmarks included) for this long is presumed dead and restarted. */
  readonly watchInactivityTimeoutMs: number;
  /** Asks the server to end each watch after this long (`timeoutSeconds`), as client-go does. */
  readonly watchTimeoutSeconds: number;
  /** A list that has not completed after this long is aborted and retried (a server that hangs). */
  readonly listTimeoutMs: number;
  /** Retry delays after failures: doubled from `initialMs` up to `maxMs`, reset by any success. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** A change to the cache. `previous` is set for updates and deletes. */
  readonly onEvent: (kind: KubernetesEventKind, object: KubeObject, previous?: KubeObject) => void;
  /** The first list has been applied to the cache. Called once. */
  readonly onSynced: () => void;
}

/** True for something usable as an object: a JSON object with a non-empty `metadata.name`. */
function isKubeObject(o: unknown): o is KubeObject {
  if (o === null || typeof o !== 'object') return false;
  const meta = (o as { metadata?: unknown }).metadata;
  if (meta === null || typeof meta !== 'object') return false;
  const name = (meta as { name?: unknown }).name;
  return typeof name === 'string' && name !== '';
}

/**
 * A list+watch cache of one collection, client-go's reflector in miniature:
 *
 * - lists, then watches from the list's resourceVersion with bookmarks requested;
 * - a watch that ends is resumed from the last seen resourceVersion (at once if it delivered anything,
 *   else after a backoff); a failed list or watch is retried with exponential backoff;
 * - 410 Gone / Expired relists and diffs the new list against the cache, so a relist emits only real
 *   changes: no spurious deletes, no duplicate adds;
 * - a watch silent for longer than the inactivity timeout (a half-open connection) is aborted and resumed;
 * - an object without `metadata.name`, or a line that is not JSON, is skipped and counted.
 *
 * While the server is unreachable the cache keeps its last content.
 */
export class Informer {
  readonly #o: InformerOptions;
  readonly #cache = new Map<string, KubeObject>();
  #rv: string | undefined;
  #synced = false;
  #stopped = false;
  #delayMs: number;
  #timer: Subscription | undefined;
  #watchdog: Subscription | undefined;
  #abortWatch: (() => void) | undefined;
  #abortList: AbortController | undefined;
  #listTimer: Subscription | undefined;

  constructor(options: InformerOptions) {
    this.#o = options;
    this.#delayMs = options.backoff.initialMs;
  }

  /** The cached objects by `namespace/name` (or `name`). */
  get store(): ReadonlyMap<string, KubeObject> {
    return this.#cache;
  }

  get synced(): boolean {
    return this.#synced;
  }

  start(): void {
    this.#list();
  }

  /** Stops the watch and every timer; nothing is called back afterwards. */
  stop(): void {
    this.#stopped = true;
    this.#listTimer?.unsubscribe();
    this.#abortList?.abort('informer stopped');
    this.#abortList = undefined;
    this.#stopWatch();
    this.#timer?.unsubscribe();
    this.#timer = undefined;
  }

  #selectors(): Record<string, string> {
    const q: Record<string, string> = {};
    if (this.#o.labelSelector) q.labelSelector = this.#o.labelSelector;
    if (this.#o.fieldSelector) q.fieldSelector = this.#o.fieldSelector;
    return q;
  }

  #retry(what: () => void): void {
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#o.backoff.maxMs);
    this.#timer?.unsubscribe();
    this.#timer = this.#o.scheduler.schedule(() => {
      this.#timer = undefined;
      if (!this.#stopped) what();
    }, delay);
  }

  #fail(error: Error, action: string): void {
    safeCall(this.#o.metrics.onFailure?.bind(this.#o.metrics), this.#o.resource, error);
    this.#o.logger.warn(
      { resource: this.#o.resource, path: this.#o.path, err: error.message, retryInMs: this.#delayMs },
      `kubernetes ${action} failed`,
    );
  }

  #malformed(detail: string): void {
    safeCall(this.#o.metrics.onMalformedObject?.bind(this.#o.metrics), this.#o.resource);
    this.#o.logger.warn({ resource: this.#o.resource, detail }, 'skipping malformed kubernetes object');
  }

  #list(): void {
    const abort = new AbortController();
    const timeout = this.#o.listTimeoutMs;
    const timer = this.#o.scheduler.schedule(() => abort.abort(`no answer within ${timeout} ms`), timeout);
    this.#abortList = abort;
    this.#listTimer = timer;
    this.#o.client.list(this.#o.path, this.#selectors(), abort.signal).then(
      (body) => {
        timer.unsubscribe();
        this.#abortList = undefined;
        if (this.#stopped) return;
        const items = (body as { items?: unknown }).items;
        const rv = (body as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
        if (!Array.isArray(items) || typeof rv !== 'string') {
          this.#fail(new Error('list response has no items or resourceVersion'), 'list');
          this.#retry(() => this.#list());
          return;
        }
        this.#replace(items);
        this.#rv = rv;
        this.#delayMs = this.#o.backoff.initialMs;
        if (!this.#synced) {
          this.#synced = true;
          this.#o.onSynced();
        }
        this.#watch();
      },
      (err: KubernetesApiError) => {
        timer.unsubscribe();
        this.#abortList = undefined;
        if (this.#stopped) return;
        this.#fail(err, 'list');
        this.#retry(() => this.#list());
      },
    );
  }

  /** Applies a fresh list: adds, updates where the resourceVersion moved, deletes what is gone. */
  #replace(items: unknown[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      if (!isKubeObject(item)) {
        this.#malformed('list item without metadata.name');
        continue;
      }
      const key = objectKey(item.metadata);
      seen.add(key);
      this.#upsert(key, item);
    }
    for (const [key, old] of [...this.#cache]) {
      if (!seen.has(key)) {
        this.#cache.delete(key);
        this.#o.onEvent('delete', old, old);
      }
    }
  }

  #upsert(key: string, obj: KubeObject): void {
    const old = this.#cache.get(key);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.#cache.set(key, obj);
    if (old) this.#o.onEvent('update', obj, old);
    else this.#o.onEvent('add', obj);
  }

  #stopWatch(): void {
    this.#watchdog?.unsubscribe();
    this.#watchdog = undefined;
    const abort = this.#abortWatch;
    this.#abortWatch = undefined;
    abort?.();
  }

  #armWatchdog(): void {
    this.#watchdog?.unsubscribe();
    const timeout = this.#o.watchInactivityTimeoutMs;
    this.#watchdog = this.#o.scheduler.schedule(() => {
      this.#watchdog = undefined;
      if (this.#stopped) return;
      this.#stopWatch();
      this.#fail(new WatchInactivityError(`watch delivered nothing for ${timeout} ms`, timeout), 'watch');
      // A dead connection is not the server's fault: resume at once, from the last resourceVersion.
      this.#watch();
    }, timeout);
  }

  #relist(): void {
    this.#stopWatch();
    this.#rv = undefined;
    this.#list();
  }

  #watch(): void {
    let events = 0;
    const query: Record<string, string> = {
      ...this.#selectors(),
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.#o.watchTimeoutSeconds),
    };
    if (this.#rv !== undefined) query.resourceVersion = this.#rv;
    this.#armWatchdog();
    this.#abortWatch = this.#o.client.watch(this.#o.path, query, {
      onLine: (line) => {
        if (this.#stopped) return;
        events++;
        this.#delayMs = this.#o.backoff.initialMs;
        this.#armWatchdog();
        this.#onLine(line);
      },
      onEnd: (error) => {
        if (this.#stopped) return;
        this.#abortWatch = undefined;
        this.#watchdog?.unsubscribe();
        this.#watchdog = undefined;
        if (error?.statusCode === 410) {
          this.#relist();
        } else if (error) {
          this.#fail(error, 'watch');
          this.#retry(() => this.#watch());
        } else if (events > 0) {
          this.#watch();
        } else {
          // An event-less clean close in a loop would hammer the server (client-node #1933): back off.
          this.#retry(() => this.#watch());
        }
      },
    });
  }

  #onLine(line: string): void {
    let event: { type?: unknown; object?: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      this.#malformed('watch line is not JSON');
      return;
    }
    const obj = event?.object;
    switch (event?.type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED': {
        if (!isKubeObject(obj)) {
          this.#malformed(`${String(event.type)} event without metadata.name`);
          return;
        }
        const key = objectKey(obj.metadata);
        if (event.type === 'DELETED') {
          const old = this.#cache.get(key);
          if (old) {
            this.#cache.delete(key);
            this.#o.onEvent('delete', old, old);
          }
        } else {
          this.#upsert(key, obj);
        }
        this.#rv = obj.metadata.resourceVersion ?? this.#rv;
        return;
      }
      case 'BOOKMARK': {
        const rv = (obj as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata
          ?.resourceVersion;
        if (typeof rv === 'string') this.#rv = rv;
        return;
      }
      case 'ERROR': {
        const status = obj as { code?: unknown; message?: unknown } | undefined;
        if (status?.code === 410) {
          this.#o.logger.debug({ resource: this.#o.resource }, 'watch expired; relisting');
          this.#relist();
          return;
        }
        this.#stopWatch();
        this.#fail(new Error(`watch error event: ${String(status?.message ?? 'unknown')}`), 'watch');
        this.#retry(() => this.#watch());
        return;
      }
      default:
        this.#malformed(`unknown watch event type ${String(event?.type)}`);
    }
  }
}
