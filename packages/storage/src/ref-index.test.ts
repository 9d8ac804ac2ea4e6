import { describe, expect, it } from 'vitest';
import { RefIndex } from './ref-index.js';

describe('RefIndex', () => {
  it('stores, replaces and deletes values by sequential refs', () => {
    const x = new RefIndex<string>();
    x.set(1, 'a');
    x.set(2, 'b');
    x.set(5, 'e');
    x.set(2, 'B');
    expect([x.get(1), x.get(2), x.get(3), x.get(5), x.size]).toEqual(['a', 'B', undefined, 'e', 3]);
    x.delete(2);
    x.delete(4);
    expect([x.get(2), x.size]).toEqual([undefined, 2]);
  });

  it('keeps refs that are far away, below the base or not integers', () => {
    const x = new RefIndex<string>();
    x.set(100, 'first');
    for (const ref of [2 ** 40 + 3, 0.5, 7, -1, 100 + 70_000]) x.set(ref, String(ref));
    for (const ref of [2 ** 40 + 3, 0.5, 7, -1, 100 + 70_000]) expect(x.get(ref)).toBe(String(ref));
    // A ref kept in the Map is still found once the dense array has grown past it.
    for (let r = 101; r <= 100 + 70_000; r += 1000) x.set(r, 'dense');
    x.set(100 + 70_001, 'next');
    expect([x.get(100), x.get(100 + 70_000), x.get(100 + 70_001)]).toEqual(['first', '70100', 'next']);
    expect(x.size).toBe(6 + 70 + 1);
  });

  it('moves the few survivors of a large, mostly empty array to the Map and starts afresh', () => {
    const x = new RefIndex<number>();
    for (let r = 1; r <= 2000; r++) x.set(r, r);
    for (let r = 1; r <= 2000; r++) if (r % 10 !== 0) x.delete(r);
    x.compactIfSparse();
    x.set(5000, 5000);
    expect([x.get(10), x.get(2000), x.get(11), x.get(5000), x.size]).toEqual([
      10,
      2000,
      undefined,
      5000,
      201,
    ]);
    x.clear();
    expect([x.get(10), x.get(5000), x.size]).toEqual([undefined, undefined, 0]);
  });

  it('leaves a well-used array alone', () => {
    const x = new RefIndex<number>();
    for (let r = 1; r <= 2000; r++) x.set(r, r);
    for (let r = 1; r <= 1000; r++) x.delete(r);
    x.compactIfSparse();
    expect([x.get(1500), x.get(500), x.size]).toEqual([1500, undefined, 1000]);
  });
});
