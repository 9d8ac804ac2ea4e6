import type { DiscovererConfigs, DiscovererFactory, DiscoveryMechanism } from './discoverer.js';
import { fileDiscoverer } from './file-discoverer.js';
import { httpDiscoverer } from './http-discoverer.js';
import { staticDiscoverer } from './static-discoverer.js';
// Kubernetes SD (src/kubernetes/, written separately). When it exports `kubernetesDiscoverer`, enable the
// import below and the `kubernetes` line in createDefaultDiscovererRegistry().
// import { kubernetesDiscoverer } from './kubernetes/index.js';

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

/** A registry with every built-in mechanism: `static`, `file`, `http` (and `kubernetes` once enabled). */
export function createDefaultDiscovererRegistry(): DiscovererRegistry {
  return new DiscovererRegistry()
    .register('static', staticDiscoverer)
    .register('file', fileDiscoverer)
    .register('http', httpDiscoverer);
  // .register('kubernetes', kubernetesDiscoverer)
}
