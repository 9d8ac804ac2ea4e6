import { describe, expect, it } from 'vitest';
import { hashmod } from './hashmod.js';

describe('hashmod', () => {
  // The first two are Prometheus's own test vectors; the rest are from the reference (§2.4).
  it.each([
    ['baz', 1000n, 976n],
    ['foo\nbar', 1000n, 734n],
    ['', 10n, 8n],
    ['foo', 10n, 6n],
    ['10.0.0.1:9100', 3n, 2n],
    ['10.0.0.1:9100', 1000n, 645n],
    ['a;b', 7n, 2n],
  ])('%j mod %d = %d', (value, modulus, want) => {
    expect(hashmod(value, modulus)).toBe(want);
  });

  it('uses the full 64 bits for huge moduli', () => {
    // MD5("baz") ends in bytes whose uint64 is below 2^64; modulo 2^64-1 must not lose precision.
    const v = hashmod('baz', 2n ** 64n - 1n);
    expect(v % 1000n).toBe(976n);
  });
});
