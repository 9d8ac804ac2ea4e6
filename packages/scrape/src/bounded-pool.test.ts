import { describe, expect, it } from 'vitest';
import { BoundedPool } from './bounded-pool.js';

describe('BoundedPool', () => {
  it('gives back the value stored under a key', () => {
    const pool = new BoundedPool<object>(10);
    const v = { a: 1 };
    expect(pool.add('k', v)).toBe(v);
    expect(pool.get('k')).toBe(v);
    expect(pool.get('other')).toBeUndefined();
  });

  it('starts over when full, so it never holds more than its bound', () => {
    const pool = new BoundedPool<number>(3);
    for (const [i, k] of ['a', 'b', 'c'].entries()) pool.add(k, i);
    expect([pool.get('a'), pool.get('c')]).toEqual([0, 2]);
    pool.add('d', 3);
    expect([pool.get('a'), pool.get('b'), pool.get('c'), pool.get('d')]).toEqual([
      undefined,
      undefined,
      undefined,
      3,
    ]);
  });
});
