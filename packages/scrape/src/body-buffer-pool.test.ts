import { describe, expect, it } from 'vitest';
import { BodyBufferPool, BodyCollector } from './body-buffer-pool.js';

describe('BodyBufferPool', () => {
  it('hands a released buffer out again instead of allocating', () => {
    const pool = new BodyBufferPool();
    const a = pool.acquire(100_000);
    expect(a.length).toBeGreaterThanOrEqual(100_000);
    pool.release(a);
    expect(pool.size).toBe(1);
    expect(pool.acquire(50_000)).toBe(a);
    expect(pool.size).toBe(0);
    // Too small for the request: a new one.
    pool.release(a);
    expect(pool.acquire(a.length + 1)).not.toBe(a);
  });

  it('keeps at most maxFree buffers, preferring larger ones, and never very large ones', () => {
    const pool = new BodyBufferPool(2, 1 << 20);
    const small = Buffer.alloc(70_000);
    const mid = Buffer.alloc(80_000);
    const big = Buffer.alloc(90_000);
    pool.release(small);
    pool.release(mid);
    pool.release(big); // full: replaces the smallest
    expect(pool.size).toBe(2);
    expect(pool.acquire(85_000)).toBe(big);
    expect(pool.acquire(75_000)).toBe(mid);
    pool.release(Buffer.alloc((1 << 20) + 1));
    expect(pool.size).toBe(0);
  });
});

describe('BodyCollector', () => {
  it('joins chunks in one pooled buffer, growing it, and gives it back on release', () => {
    const pool = new BodyBufferPool();
    const c = new BodyCollector(pool);
    const chunks = [40_000, 40_000, 70_000].map((n, i) => Buffer.alloc(n, 0x61 + i));
    for (const ch of chunks) c.push(ch);
    expect(c.length).toBe(150_000);
    expect(Buffer.from(c.view()).equals(Buffer.concat(chunks))).toBe(true);
    // It grew twice (64 KiB → 128 KiB → 256 KiB): the outgrown buffers went back at once, the last one
    // goes back on release.
    expect(pool.size).toBe(2);
    c.release();
    expect(pool.size).toBe(3);
    expect(c.view().length).toBe(0);
    c.release(); // idempotent
    expect(pool.size).toBe(3);
  });

  it('views an empty body as zero bytes', () => {
    const c = new BodyCollector(new BodyBufferPool());
    expect(c.view().length).toBe(0);
    c.release();
  });
});
