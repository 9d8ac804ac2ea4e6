/*
 * Test helpers for the Kubernetes discoverer's tests (not exported from the package). They depend only on
 * this package, so the fake API server stays a devDependency of the tests that import it.
 */
import type { HttpClientConfig, KubernetesRole, KubernetesSDConfig } from '@scrapewire/config';
import type { TargetGroup } from '@scrapewire/model';
import {
  asyncScheduler,
  type Observable,
  type SchedulerAction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';

/** An HTTP client config with Prometheus's defaults and nothing set. */
export const PLAIN_HTTP_CLIENT: HttpClientConfig = {
  tlsConfig: { insecureSkipVerify: false },
  proxyFromEnvironment: false,
  proxyConnectHeader: {},
  httpHeaders: {},
  followRedirects: true,
  enableHttp2: true,
};

/** A `kubernetes_sd_config` for `role` against `apiServer`, with overrides. */
export function sdConfig(
  role: KubernetesRole,
  apiServer: string,
  overrides: Partial<KubernetesSDConfig> = {},
): KubernetesSDConfig {
  return {
    role,
    apiServer,
    namespaces: { ownNamespace: false, names: [] },
    selectors: [],
    attachMetadata: { node: false, namespace: false },
    httpClient: PLAIN_HTTP_CLIENT,
    ...overrides,
  };
}

/** Polls `condition` every 5 ms until it holds; fails after `timeoutMs`. For network round trips only. */
export async function until(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Subscribes to a discoverer and keeps every batch and the latest group per source. */
export class GroupCollector {
  readonly batches: TargetGroup[][] = [];
  readonly latest = new Map<string, TargetGroup>();
  error: unknown;
  readonly #sub: Subscription;

  constructor(groups$: Observable<TargetGroup[]>) {
    this.#sub = groups$.subscribe({
      next: (batch) => {
        this.batches.push(batch);
        for (const g of batch) this.latest.set(g.source, g);
      },
      error: (err: unknown) => {
        this.error = err;
      },
    });
  }

  /** Waits for the first (full) batch and returns it. */
  async first(timeoutMs = 5_000): Promise<TargetGroup[]> {
    await until(() => this.batches.length > 0 || this.error !== undefined, timeoutMs, 'the first batch');
    if (this.error !== undefined) throw this.error;
    return this.batches[0]!;
  }

  /** Waits until the latest group of `source` satisfies `predicate`, and returns it. */
  async group(source: string, predicate: (g: TargetGroup) => boolean = () => true, timeoutMs = 5_000) {
    await until(
      () => {
        const g = this.latest.get(source);
        return g !== undefined && predicate(g);
      },
      timeoutMs,
      `group ${source}`,
    );
    return this.latest.get(source)!;
  }

  /** Targets with group labels merged in (a target's own labels win), as Prometheus builds them. */
  targets(source: string): Record<string, string>[] {
    const g = this.latest.get(source);
    return (g?.targets ?? []).map((t) => ({ ...g!.labels, ...t }));
  }

  unsubscribe(): void {
    this.#sub.unsubscribe();
  }
}

/**
 * A scheduler that runs on `asyncScheduler` but counts the actions still pending, so a test can prove
 * that unsubscribing cleared every timer (backoff, watchdog, batching).
 */
export class CountingScheduler implements SchedulerLike {
  readonly #live = new Set<Subscription>();

  get pending(): number {
    return this.#live.size;
  }

  now(): number {
    return asyncScheduler.now();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const live = this.#live;
    const sub = asyncScheduler.schedule<T>(
      function (this: SchedulerAction<T>, s?: T) {
        live.delete(sub);
        work.call(this, s);
      },
      delay,
      state as T,
    );
    live.add(sub);
    sub.add(() => live.delete(sub));
    return sub;
  }
}
