import type { TargetGroup } from '@scrapewire/model';
import { describe, expect, it } from 'vitest';
import { GroupTracker } from './group-tracker.js';

const g = (source: string, ...addrs: string[]): TargetGroup => ({
  source,
  targets: addrs.map((a) => ({ __address__: a })),
  labels: { l: source },
});

describe('GroupTracker', () => {
  it('should send the full set first, then only changes and vanished sources', () => {
    const t = new GroupTracker();
    expect(t.update([])).toEqual([]);
    expect(t.update([g('a', '1'), g('b', '2')])).toEqual([g('a', '1'), g('b', '2')]);
    expect(t.update([g('a', '1'), g('b', '2')])).toBeUndefined();
    expect(t.update([g('a', '1', '3')])).toEqual([
      g('a', '1', '3'),
      { source: 'b', targets: [], labels: {} },
    ]);
    expect(t.update([g('a', '1', '3')])).toBeUndefined();
  });
});

describe('GroupTracker (property)', () => {
  it('should emit updates that, applied like the manager does, always rebuild the latest full set', async () => {
    const fc = (await import('fast-check')).default;
    const group = fc.record({
      source: fc.constantFrom('s0', 's1', 's2', 's3', 's4'),
      addrs: fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
      label: fc.constantFrom('x', 'y'),
    });
    const snapshot = fc.uniqueArray(group, { selector: (g) => g.source, maxLength: 5 }).map((gs) =>
      gs.map(
        (g): TargetGroup => ({
          source: g.source,
          targets: g.addrs.map((a) => ({ __address__: a })),
          labels: { l: g.label },
        }),
      ),
    );
    fc.assert(
      fc.property(fc.array(snapshot, { minLength: 1, maxLength: 8 }), (snapshots) => {
        const t = new GroupTracker();
        const state = new Map<string, TargetGroup>();
        for (const full of snapshots) {
          for (const g of t.update(full) ?? []) {
            if (g.targets.length > 0) state.set(g.source, g);
            else state.delete(g.source);
          }
          const want = full
            .filter((g) => g.targets.length > 0)
            .sort((a, b) => a.source.localeCompare(b.source));
          const got = [...state.values()].sort((a, b) => a.source.localeCompare(b.source));
          expect(got).toEqual(want);
        }
      }),
    );
  });
});
