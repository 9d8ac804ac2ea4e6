import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashmod, md5Tail } from './hashmod.js';

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

describe('md5Tail', () => {
  it('agrees with node:crypto on random strings of every length class', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'grapheme', maxLength: 80 }),
          fc.string({ unit: 'binary' }),
        ),
        (s) => {
          const d = createHash('md5').update(s, 'utf8').digest();
          expect(md5Tail(s)).toEqual([d.readUInt32BE(8), d.readUInt32BE(12)]);
          const n = d.readBigUInt64BE(8);
          for (const m of [1n, 3n, 1000n, 1n << 20n, (1n << 20n) + 1n, 2n ** 64n - 1n])
            expect(hashmod(s, m)).toBe(n % m);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('handles a value longer than its scratch buffer', () => {
    const s = 'x'.repeat(10_000);
    expect(md5Tail(s)[1]).toBe(createHash('md5').update(s).digest().readUInt32BE(12));
  });
});
