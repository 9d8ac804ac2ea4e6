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
