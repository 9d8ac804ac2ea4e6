import { describe, expect, it } from 'vitest';
import { Labels } from './labels.js';
import { LabelsMap } from './labels-map.js';

interface Entry {
  readonly labels: Labels;
  readonly n: number;
}

/** Two different label sets with the same 30-bit hash, found by brute force (the birthday bound). */
function collidingPair(): [Labels, Labels] {
  const seen = new Map<number, Labels>();
  for (let i = 0; ; i++) {
    const l = Labels.from({ __name__: 'm', i: String(i) });
    const other = seen.get(l.hash32());
    if (other !== undefined) return [other, l];
    seen.set(l.hash32(), l);
  }
}

describe('LabelsMap', () => {
  const map = () => new LabelsMap<Entry>((e) => e.labels);

  it('finds values by equal label sets, not only by the same object', () => {
    const m = map();
    const a = Labels.from({ __name__: 'up', job: 'x' });
    m.set(a, { labels: a, n: 1 });
    expect(m.get(Labels.from({ job: 'x', __name__: 'up' }))?.n).toBe(1);
    expect(m.get(Labels.from({ __name__: 'up', job: 'y' }))).toBeUndefined();
    expect(m.size).toBe(1);
  });

  it('keeps label sets apart whose strings only differ in where they split', () => {
    const a = Labels.from({ ab: 'c' });
    const b = Labels.from({ a: 'bc' });
    expect(a.hash32()).not.toBe(b.hash32());
  });

  it('stores, replaces and deletes colliding label sets independently', () => {
    const [a, b] = collidingPair();
    expect(a.hash32()).toBe(b.hash32());
    expect(a.equals(b)).toBe(false);
    const m = map();
    m.set(a, { labels: a, n: 1 }).set(b, { labels: b, n: 2 });
    expect([m.get(a)?.n, m.get(b)?.n, m.size]).toEqual([1, 2, 2]);
    m.set(b, { labels: b, n: 3 });
    expect([m.get(b)?.n, m.size]).toEqual([3, 2]);
    expect([...m.values()].map((e) => e.n).sort()).toEqual([1, 3]);
    // Deleting the first one promotes the colliding one; deleting it again finds nothing.
    expect(m.delete(a)).toBe(true);
    expect([m.get(a), m.get(b)?.n, m.size]).toEqual([undefined, 3, 1]);
    expect(m.delete(a)).toBe(false);
    m.set(a, { labels: a, n: 4 });
    expect(m.delete(a)).toBe(true);
    expect(m.delete(b)).toBe(true);
    expect([m.get(b), m.size, [...m.values()]]).toEqual([undefined, 0, []]);
  });

  it('clears', () => {
    const m = map();
    const a = Labels.from({ x: '1' });
    m.set(a, { labels: a, n: 1 });
    m.clear();
    expect([m.get(a), m.size]).toEqual([undefined, 0]);
  });

  it('hashes to a small non-negative integer, the same for equal label sets', () => {
    const a = Labels.from({ __name__: 'node_cpu_seconds_total', cpu: '0', mode: 'idle' });
    const h = a.hash32();
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
    expect(Labels.from({ mode: 'idle', cpu: '0', __name__: 'node_cpu_seconds_total' }).hash32()).toBe(h);
  });
});
