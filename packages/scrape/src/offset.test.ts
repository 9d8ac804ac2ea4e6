import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scrapeOffsetMs } from './offset.js';

describe('scrapeOffsetMs', () => {
  it('waits until the target phase within epoch-aligned intervals', () => {
    // phase = 7 mod 10 = 7; now = 103 → base 7, next = 14 → 4 (103 + 4 = 107 ≡ 7 mod 10).
    expect(scrapeOffsetMs(7n, 0n, 10, 103)).toBe(4);
    expect(scrapeOffsetMs(7n, 0n, 10, 100)).toBe(7);
    expect(scrapeOffsetMs(0n, 0n, 10, 100)).toBe(10);
  });

  it('keeps the phase constant and the wait in (0, interval]', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.integer({ min: 0, max: 2 ** 42 }),
        (h, seed, interval, now) => {
          const w = scrapeOffsetMs(h, seed, interval, now);
          expect(w).toBeGreaterThan(0);
          expect(w).toBeLessThanOrEqual(interval);
          expect((now + w) % interval).toBe(Number((h ^ seed) % BigInt(interval)));
        },
      ),
    );
  });

  it('gives different seeds different phases', () => {
    expect(scrapeOffsetMs(5n, 0n, 1000, 0)).not.toBe(scrapeOffsetMs(5n, 3n, 1000, 0));
  });
});
