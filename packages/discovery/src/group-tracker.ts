import type { LabelSet, TargetGroup } from '@scrapewire/model';

function labelSetEqual(a: LabelSet, b: LabelSet): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/** Structural equality of two target groups (targets compared in order). */
export function targetGroupEqual(a: TargetGroup, b: TargetGroup): boolean {
  if (a.source !== b.source || a.targets.length !== b.targets.length) return false;
  if (!labelSetEqual(a.labels, b.labels)) return false;
  for (let i = 0; i < a.targets.length; i++) if (!labelSetEqual(a.targets[i]!, b.targets[i]!)) return false;
  return true;
}

/**
 * Turns a refresh-based provider's full snapshots into the discoverer contract: the first snapshot goes out
 * whole; later ones are reduced to the groups that changed, plus an empty group (source only) for every
 * source that vanished. This is what keeps a periodic refresh with no changes from waking the manager.
 */
export class GroupTracker {
  #last = new Map<string, TargetGroup>();
  #sentOnce = false;

  /**
   * Records the provider's complete current set and returns what to emit, or `undefined` when nothing
   * changed since the last call (never `undefined` on the first call).
   */
  update(groups: readonly TargetGroup[]): TargetGroup[] | undefined {
    const next = new Map<string, TargetGroup>();
    for (const g of groups) next.set(g.source, g);
    const out: TargetGroup[] = [];
    for (const [source, g] of next) {
      const prev = this.#last.get(source);
      if (!this.#sentOnce || prev === undefined || !targetGroupEqual(prev, g)) out.push(g);
    }
    for (const source of this.#last.keys()) {
      if (!next.has(source)) out.push({ source, targets: [], labels: {} });
    }
    this.#last = next;
    if (this.#sentOnce && out.length === 0) return undefined;
    this.#sentOnce = true;
    return out;
  }
}
