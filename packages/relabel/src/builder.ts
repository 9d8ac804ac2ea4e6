import { Labels } from '@scrapewire/model';

/**
 * The mutable label set one relabel pass works on, with the semantics of Prometheus's `labels.Builder`:
 * a base label set plus an ordered list of additions and a list of deletions; setting `''` deletes;
 * `range` visits a snapshot (unchanged base labels in name order, then additions in insertion order),
 * so actions that set labels while iterating never see their own writes.
 * @internal
 */
export class RelabelBuilder {
  private base: Labels = Labels.EMPTY;
  private baseFlat: readonly string[] = [];
  private readonly addNames: string[] = [];
  private readonly addValues: string[] = [];
  private readonly deleted: string[] = [];

  /** Starts over from `base`. */
  reset(base: Labels): this {
    this.base = base;
    this.baseFlat = base.toFlat();
    this.addNames.length = 0;
    this.addValues.length = 0;
    this.deleted.length = 0;
    return this;
  }

  /** The current value of `name`, `''` when absent. */
  get(name: string): string {
    const i = this.addNames.indexOf(name);
    if (i >= 0) return this.addValues[i]!;
    if (this.deleted.length > 0 && this.deleted.includes(name)) return '';
    return this.base.get(name);
  }

  /** Sets `name`; an empty value deletes it. */
  set(name: string, value: string): void {
    if (value === '') {
      this.del(name);
      return;
    }
    const i = this.addNames.indexOf(name);
    if (i >= 0) {
      this.addValues[i] = value;
      return;
    }
    this.addNames.push(name);
    this.addValues.push(value);
  }

  /** Deletes `name`. */
  del(name: string): void {
    const i = this.addNames.indexOf(name);
    if (i >= 0) {
      this.addNames.splice(i, 1);
      this.addValues.splice(i, 1);
    }
    if (!this.deleted.includes(name)) this.deleted.push(name);
  }

  /** Calls `fn` for each current label, over a snapshot taken before the first call. */
  range(fn: (name: string, value: string) => void): void {
    const flat = this.baseFlat;
    const nAdd = this.addNames.length;
    if (nAdd === 0 && this.deleted.length === 0) {
      // Nothing changed yet (the common case for labelmap/labeldrop early in a chain): walk the base.
      for (let i = 0; i < flat.length; i += 2) fn(flat[i]!, flat[i + 1]!);
      return;
    }
    const addNames = this.addNames.slice();
    const addValues = this.addValues.slice();
    const deleted = this.deleted.slice();
    if (addNames.length + deleted.length <= 8) {
      // Few changes: scanning two short arrays beats building a Set per call.
      for (let i = 0; i < flat.length; i += 2) {
        const n = flat[i]!;
        if (!addNames.includes(n) && !deleted.includes(n)) fn(n, flat[i + 1]!);
      }
    } else {
      const skip = new Set(deleted);
      for (const n of addNames) skip.add(n);
      for (let i = 0; i < flat.length; i += 2) {
        const n = flat[i]!;
        if (!skip.has(n)) fn(n, flat[i + 1]!);
      }
    }
    for (let i = 0; i < nAdd; i++) fn(addNames[i]!, addValues[i]!);
  }

  /** The resulting label set. */
  labels(): Labels {
    const addN = this.addNames;
    if (addN.length === 0 && this.deleted.length === 0) return this.base;
    const order = addN.map((_, i) => i).sort((a, b) => (addN[a]! < addN[b]! ? -1 : 1));
    const flat = this.baseFlat;
    const out: string[] = [];
    let j = 0;
    for (let i = 0; i < flat.length; i += 2) {
      const n = flat[i]!;
      while (j < order.length && addN[order[j]!]! < n) {
        out.push(addN[order[j]!]!, this.addValues[order[j]!]!);
        j++;
      }
      if (j < order.length && addN[order[j]!] === n) {
        out.push(n, this.addValues[order[j]!]!);
        j++;
        continue;
      }
      if (this.deleted.length > 0 && this.deleted.includes(n)) continue;
      out.push(n, flat[i + 1]!);
    }
    for (; j < order.length; j++) out.push(addN[order[j]!]!, this.addValues[order[j]!]!);
    return Labels.unsafeFromSortedFlat(out);
  }
}
