import type {
  Discoverer,
  DiscovererConfigs,
  DiscovererContext,
  DiscovererFactory,
  DiscoveryMechanism,
} from './discoverer.js';
import { fileDiscoverer } from './file-discoverer.js';
import { httpDiscoverer } from './http-discoverer.js';
import { staticDiscoverer } from './static-discoverer.js';
import type { KubernetesSDConfig } from '@scrapewire/config';
import { kubernetesDiscoverer } from './kubernetes/index.js';

/**
 * Maps SD mechanism names to discoverer factories. A value the embedder creates (no global registration),
 * so an embedder can replace a mechanism (e.g. a fake in tests) or leave one out.
 */
export class DiscovererRegistry {
  readonly #factories = new Map<DiscoveryMechanism, DiscovererFactory<never>>();

  /** Registers (or replaces) the factory of `mechanism`. */
  register<M extends DiscoveryMechanism>(
    mechanism: M,
    factory: DiscovererFactory<DiscovererConfigs[M]>,
  ): this {
    this.#factories.set(mechanism, factory as DiscovererFactory<never>);
    return this;
  }

  /** The factory of `mechanism`, or `undefined` when none is registered. */
  get<M extends DiscoveryMechanism>(mechanism: M): DiscovererFactory<DiscovererConfigs[M]> | undefined {
    return this.#factories.get(mechanism) as DiscovererFactory<DiscovererConfigs[M]> | undefined;
  }

  /** True when `mechanism` has a factory. */
  has(mechanism: DiscoveryMechanism): boolean {
    return this.#factories.has(mechanism);
  }

  /** The registered mechanism names, in registration order. */
  mechanisms(): DiscoveryMechanism[] {
    return [...this.#factories.keys()];
  }
}

/** An empty registry; add mechanisms with {@link DiscovererRegistry.register}. */
export function createDiscovererRegistry(): DiscovererRegistry {
  return new DiscovererRegistry();
}

/**
 * The `kubernetes` factory of the default registry: {@link kubernetesDiscoverer} with the manager's logger
 * and scheduler, its events and failures reported through `DiscoveryMetrics`. Embedders that need
 * the Kubernetes-specific context (a `KubeConfig`, request hooks) register their own factory instead.
 */
export function kubernetesDiscovererFromContext(
  config: KubernetesSDConfig,
  ctx: DiscovererContext,
): Discoverer {
  const m = ctx.metrics;
  return kubernetesDiscoverer(config, {
    logger: ctx.logger,
    ...(ctx.scheduler !== undefined ? { scheduler: ctx.scheduler } : {}),
    metrics: {
      onEvent: (role, event) => m.incKubernetesEvents?.(role, event),
      onFailure: () => m.incKubernetesFailures?.(),
    },
  });
}

/** A registry with every built-in mechanism: `static`, `file`, `http` and `kubernetes`. */
export function createDefaultDiscovererRegistry(): DiscovererRegistry {
  return new DiscovererRegistry()
    .register('static', staticDiscoverer)
    .register('file', fileDiscoverer)
    .register('http', httpDiscoverer)
    .register('kubernetes', kubernetesDiscovererFromContext);
}
