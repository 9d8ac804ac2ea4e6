import type { Labels } from '@scrapewire/model';
import type { RelabelConfig } from '@scrapewire/relabel';

/** Applies a compiled list of relabel rules; `undefined` means the label set was dropped. */
export type RelabelFn = (labels: Labels) => Labels | undefined;

const identity: RelabelFn = (l) => l;

/**
 * The one place the scrape engine reaches into `@scrapewire/relabel`: compiles `relabel_configs` /
 * `metric_relabel_configs` into a function. Keeping it here lets the relabel package's API evolve
 * behind a single call site.
 */
export function compileRelabel(configs: readonly RelabelConfig[]): RelabelFn {
  if (configs.length === 0) return identity;
  return relabelImpl(configs);
}

// Replaced by the relabel package's engine once it lands (see compileRelabel).
let relabelImpl: (configs: readonly RelabelConfig[]) => RelabelFn = () => identity;

/** @internal Lets tests and the interim wiring install a relabel engine. */
export function setRelabelEngine(impl: (configs: readonly RelabelConfig[]) => RelabelFn): void {
  relabelImpl = impl;
}
