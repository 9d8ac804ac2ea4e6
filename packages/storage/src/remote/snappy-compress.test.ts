/// <reference path="./snappyjs.d.ts" />
import { Labels } from '@scrapewire/model';
import fc from 'fast-check';
import snappyjs from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { decodeWriteRequest } from '../../test/prompb.js';
import { maxCompressedLength, SnappyCompressor } from './snappy-compress.js';
import { encodeLabels, encodeWriteRequest, type QueueItem } from './write-request.js';

/** One element of a block-format stream, as parsed by {@link checkStream}. */
interface Element {
  kind: 'literal' | 'copy1' | 'copy2';
  /** Output position the element starts at. */
  at: number;
  length: number;
  offset: number;
}

/** A plain assertion: `expect` per element makes the checks of large streams slow. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invalid stream: ${what}`);
}

/**
 * Parses a stream element by element and fails on anything a strict decoder (Go's golang/snappy
 * `Decode`, which Prometheus and VictoriaMetrics use) rejects, plus what our encoder promises beyond
 * that: no 4-byte-offset copies, every element confined to its 64 KiB block (offsets never reach into
 * an earlier block), canonical literal headers, no copy shorter than 4 bytes.
 */
function checkStream(stream: Uint8Array, expectedLength: number): Element[] {
  let p = 0;
  let total = 0;
  for (let shift = 0; ; shift += 7) {
    check(shift < 35, 'varint preamble longer than 5 bytes');
    check(p < stream.length, 'truncated preamble');
    const b = stream[p++]!;
    total += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  check(total === expectedLength, `preamble says ${total}, expected ${expectedLength}`);
  const elements: Element[] = [];
  let d = 0;
  while (p < stream.length) {
    const tag = stream[p++]!;
    const blockStart = d - (d % 65536);
    const blockEnd = Math.min(blockStart + 65536, total);
    let e: Element;
    switch (tag & 3) {
      case 0: {
        let n = tag >>> 2;
        if (n >= 60) {
          const k = n - 59;
          check(p + k <= stream.length, 'truncated literal length');
          n = 0;
          for (let i = 0; i < k; i++) n += stream[p + i]! * 2 ** (8 * i);
          p += k;
          // Canonical: the shortest header form.
          check(n >= (k === 1 ? 60 : 2 ** (8 * (k - 1))), `literal at ${d}: header longer than needed`);
        }
        e = { kind: 'literal', at: d, length: n + 1, offset: 0 };
        p += n + 1;
        check(p <= stream.length, 'literal past the end of the stream');
        break;
      }
      case 1:
        check(p < stream.length, 'truncated copy');
        e = {
          kind: 'copy1',
          at: d,
          length: ((tag >>> 2) & 7) + 4,
          offset: ((tag >>> 5) << 8) | stream[p++]!,
        };
        break;
      case 2:
        check(p + 2 <= stream.length, 'truncated copy');
        e = { kind: 'copy2', at: d, length: (tag >>> 2) + 1, offset: stream[p]! | (stream[p + 1]! << 8) };
        p += 2;
        break;
      default:
        throw new Error(`unexpected 4-byte-offset copy at stream byte ${p - 1}`);
    }
    if (e.kind !== 'literal') {
      check(e.offset > 0, `copy at ${d}: offset 0`);
      check(e.offset <= d - blockStart, `copy at ${d}: offset ${e.offset} reaches before its block`);
      check(e.length >= 4, `copy at ${d}: shorter than 4`);
    }
    check(d + e.length <= blockEnd, `element at ${d} crosses its block's end`);
    d += e.length;
    elements.push(e);
  }
  check(d === total, `elements decode to ${d} bytes, preamble says ${total}`);
  return elements;
}

function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  let firstDiff = -1;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      firstDiff = i;
      break;
    }
  }
  expect(firstDiff, 'first differing byte').toBe(-1);
}

/** Compresses, checks the stream's structure and that snappyjs decodes it back to the input. */
function roundTrip(input: Uint8Array, compressor = new SnappyCompressor()): Element[] {
  const out = compressor.compress(input);
  expect(out.length).toBeLessThanOrEqual(maxCompressedLength(input.length));
  const elements = checkStream(out, input.length);
  expectSameBytes(snappyjs.uncompress(out), input);
  return elements;
}

/** Deterministic pseudo-random bytes (mulberry32), so sizes and failures reproduce. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `unit` repeated to `n` bytes. */
function repeatTo(unit: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = unit[i % unit.length]!;
  return out;
}

/** Protobuf-like text with structure (repeated keys, varying numbers) that compresses moderately. */
function structured(n: number, seed: number): Uint8Array {
  const rnd = randomBytes(n, seed);
  const s: string[] = [];
  let len = 0;
  for (let i = 0; len < n; i++) {
    const host = rnd[i % n]! % 40;
    const value = rnd[(i * 7) % n]! * 1000 + i;
    const line = `series{job="node",instance="host-${host}:9100",cpu="${i % 64}"} ${value}\n`;
    s.push(line);
    len += line.length;
  }
  return new TextEncoder().encode(s.join('')).subarray(0, n);
}

describe('SnappyCompressor', () => {
  it('compresses empty input to a zero length preamble', () => {
    const out = new SnappyCompressor().compress(new Uint8Array(0));
    expect([...out]).toEqual([0]);
    expect(snappyjs.uncompress(out).length).toBe(0);
  });

  it('round-trips every length from 1 to 20 bytes, random and repetitive', () => {
    const c = new SnappyCompressor();
    for (let n = 1; n <= 20; n++) {
      roundTrip(randomBytes(n, n), c);
      roundTrip(new Uint8Array(n).fill(0x61), c);
      roundTrip(repeatTo(new Uint8Array([1, 2, 3]), n), c);
      roundTrip(new TextEncoder().encode('abcdabcdabcdabcdabcd'.slice(0, n)), c);
    }
  });

  it('a short input is one literal; the preamble is a varint', () => {
    const out = new SnappyCompressor().compress(new TextEncoder().encode('hello'));
    // preamble 5, literal tag (5-1)<<2, then the bytes
    expect([...out]).toEqual([5, 4 << 2, 104, 101, 108, 108, 111]);
    // 300 = 0b10_0101100 -> 0xac 0x02
    expect([...new SnappyCompressor().compress(randomBytes(300, 1)).subarray(0, 2)]).toEqual([0xac, 0x02]);
  });

  it('compresses all-zero input to a few bytes per 64 bytes, with overlapping copies', () => {
    const c = new SnappyCompressor();
    for (const n of [16, 100, 1000, 65536, 200_000]) {
      const elements = roundTrip(new Uint8Array(n), c);
      const out = c.compress(new Uint8Array(n));
      // 3 bytes per 64-byte copy, plus the preamble and a literal per block.
      if (n >= 1000) expect(out.length).toBeLessThan(n / 16);
      // A run is encoded as copies from 1 byte back: each copy overlaps its own output.
      expect(elements.some((e) => e.kind !== 'literal' && e.offset < e.length)).toBe(true);
    }
  });

  it('expands incompressible random input by at most the preamble and a literal header per block', () => {
    const c = new SnappyCompressor();
    for (const n of [15, 16, 17, 1000, 65536, 100_000, 300_000]) {
      const input = randomBytes(n, 42 + n);
      roundTrip(input, c);
      expect(c.compress(input).length).toBeLessThanOrEqual(n + 5 + 3 * Math.ceil(n / 65536));
    }
  });

  it('handles inputs of exactly 65535, 65536 and 65537 bytes (block boundary)', () => {
    const c = new SnappyCompressor();
    for (const n of [65535, 65536, 65537]) {
      for (const input of [structured(n, n), new Uint8Array(n), randomBytes(n, n)]) {
        const elements = roundTrip(input, c);
        if (n === 65537) expect(elements.at(-1)!.at).toBe(65536); // the last byte is a block of its own
      }
    }
  });

  it('keeps copies inside their 64 KiB block when data repeats across blocks (200 KB+)', () => {
    const c = new SnappyCompressor();
    // A 1000-byte random unit repeated: every block could reference the previous one but must not.
    const unit = randomBytes(1000, 7);
    for (const input of [
      repeatTo(unit, 250_000),
      structured(300_000, 3),
      concat(randomBytes(70_000, 1), randomBytes(70_000, 1), structured(70_000, 2), new Uint8Array(5000)),
    ]) {
      const elements = roundTrip(input, c);
      // Each block starts with a literal: there is nothing earlier in the block to copy from.
      for (const e of elements) if (e.at % 65536 === 0) expect(e.kind).toBe('literal');
    }
    // Within a block the repeats are found: ~3 bytes per 64 copied.
    expect(c.compress(repeatTo(unit, 250_000)).length).toBeLessThan(4 * 1010 + 250_000 / 15);
  });

  it('splits long copies into elements of at most 64 bytes, never leaving a tail under 4', () => {
    const c = new SnappyCompressor();
    // R (len bytes) + a byte + G zeros + R again + a different byte + random padding: one match of
    // exactly `len` bytes at `offset` = len + 1 + G back. The search is led to it: R sits at block
    // position 0, the candidate of every hash slot not yet written, and right after the zero run (one
    // long overlapping copy) the position that follows is looked up at once. The padding makes the
    // block big enough for the full-size table, so a hash collision is unlikely to hide the match.
    for (const offset of [100, 2047, 2048, 5000]) {
      for (let len = 4; len <= 200; len++) {
        const gap = offset - len - 1;
        if (gap < 16) continue;
        const r = randomBytes(len + 1, offset * 1000 + len);
        r[0] = 1 + (r[0]! % 255); // non-zero, so the zero run ends right before R
        const copyAt = len + 1 + gap;
        const input = concat(
          r,
          new Uint8Array(gap),
          r.subarray(0, len),
          new Uint8Array([r[len]! ^ 0xff]),
          randomBytes(9000, len),
        );
        const elements = roundTrip(input, c);
        const copies = elements.filter((e) => e.kind !== 'literal' && e.at >= copyAt && e.at < copyAt + len);
        expect(copies[0]?.at, `offset ${offset} len ${len}: copy starts at R`).toBe(copyAt);
        expect(copies.reduce((n, e) => n + e.length, 0)).toBe(len);
        for (const e of copies) {
          expect(e.offset).toBe(offset);
          // The short form is used exactly when it can be.
          expect(e.kind).toBe(e.length <= 11 && offset < 2048 ? 'copy1' : 'copy2');
        }
        // Fewest elements: ceil(len / 64) (pieces of 64, or 60 + a 5..7 tail instead of 64 + 1..3).
        expect(copies.length).toBe(Math.ceil(len / 64));
      }
    }
  });

  it('encodes runs with short periods as overlapping copies (copy length > offset)', () => {
    for (const period of [1, 2, 3, 7]) {
      const input = concat(randomBytes(50, period), repeatTo(randomBytes(period, 99), 5000));
      const elements = roundTrip(input);
      // The search may land on any multiple of the period (its step grows after 32 misses).
      const runCopies = elements.filter((e) => e.kind !== 'literal' && e.at >= 50);
      expect(runCopies.length).toBeGreaterThan(5000 / 64 - 2);
      for (const e of runCopies) expect(e.offset % period).toBe(0);
      expect(runCopies.some((e) => e.offset < e.length && e.length === 64)).toBe(true);
    }
  });

  it('reads inputs that are views at an offset into a larger buffer (e.g. pooled Buffers)', () => {
    const backing = structured(100_000, 5);
    const c = new SnappyCompressor();
    for (const [from, to] of [
      [7, 70_007],
      [1, 18],
      [33_333, 99_999],
    ] as const) {
      const view = backing.subarray(from, to);
      roundTrip(view, c);
      roundTrip(Buffer.from(backing.buffer, backing.byteOffset + from, to - from), c);
    }
  });

  it('compresses a real remote write body about as well as snappyjs', () => {
    const series = Array.from({ length: 500 }, (_, i) => {
      const labels = Labels.from({
        __name__: 'node_cpu_seconds_total',
        cpu: String(i % 64),
        mode: ['idle', 'user', 'system', 'iowait'][i % 4]!,
        instance: `host-${Math.floor(i / 64)}.example.org:9100`,
        job: 'node',
      });
      return { labels, labelBytes: encodeLabels(labels) };
    });
    const rnd = randomBytes(2000, 11);
    const items: QueueItem[] = Array.from({ length: 2000 }, (_, i) => ({
      series: series[i % 500]!,
      kind: 'sample',
      timestampMs: 1_700_000_000_000 + Math.floor(i / 500) * 15_000,
      value: rnd[i]! * 1234.5678 + i / 7,
    }));
    const body = encodeWriteRequest(items);
    expect(body.length).toBeGreaterThan(65536 + 10_000); // spans two blocks
    roundTrip(body);
    const ours = new SnappyCompressor().compress(body);
    const theirs = snappyjs.compress(body);
    expect(ours.length).toBeLessThanOrEqual(Math.ceil(theirs.length * 1.03));
    expect(ours.length).toBeLessThan(body.length / 2);
    expect(decodeWriteRequest(snappyjs.uncompress(ours)).timeseries).toHaveLength(500);
  });

  it('round-trips random bytes mixed with repeated segments and runs (property)', () => {
    type Segment =
      | { kind: 'bytes'; bytes: Uint8Array }
      | { kind: 'repeat'; back: number; len: number }
      | { kind: 'run'; byte: number; len: number };
    const segment: fc.Arbitrary<Segment> = fc.oneof(
      fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
      fc.record({
        kind: fc.constant('bytes' as const),
        bytes: fc.uint8Array({ min: 0, max: 3, maxLength: 300 }),
      }),
      fc.record({
        kind: fc.constant('repeat' as const),
        back: fc.integer({ min: 1, max: 70_000 }),
        len: fc.integer({ min: 1, max: 300 }),
      }),
      fc.record({
        kind: fc.constant('run' as const),
        byte: fc.nat(255),
        len: fc.integer({ min: 1, max: 3000 }),
      }),
    );
    const build = (segments: Segment[]): Uint8Array => {
      const out: number[] = [];
      for (const g of segments) {
        if (g.kind === 'bytes') for (const b of g.bytes) out.push(b);
        else if (g.kind === 'run') for (let i = 0; i < g.len; i++) out.push(g.byte);
        else if (out.length > 0) {
          // Copy from `back` bytes earlier, byte by byte, so the repeat may overlap itself.
          let from = Math.max(0, out.length - g.back);
          for (let i = 0; i < g.len; i++) out.push(out[from++]!);
        }
      }
      return Uint8Array.from(out);
    };
    const c = new SnappyCompressor();
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 80 }), (segments) => {
        const input = build(segments);
        roundTrip(input, c);
        // The shared instance and a fresh one agree: no state carries over between calls.
        expectSameBytes(c.compress(input), new SnappyCompressor().compress(input));
      }),
      { numRuns: 300 },
    );
  });

  it('does not leak hash table state between calls (A, B, A gives identical output)', () => {
    // A repeats a 1000-byte unit; B is the same unit after 5000 other bytes. After B, the table holds
    // positions of the unit's 4-byte sequences that are *ahead* of where A has them, and the bytes at
    // those positions in A match: a table that is not cleared yields copies with offset <= 0.
    const unit = randomBytes(1000, 3);
    const a = repeatTo(unit, 20_000);
    const b = concat(randomBytes(5000, 4), repeatTo(unit, 25_000));
    const c = new SnappyCompressor();
    const first = c.compress(a);
    roundTrip(b, c);
    const again = c.compress(a);
    expectSameBytes(again, first);
    checkStream(again, a.length);
    expectSameBytes(snappyjs.uncompress(again), a);
    // Also across the blocks of one call: the second block's table starts empty.
    const twoBlocks = concat(structured(65536, 8), a);
    const elements = roundTrip(twoBlocks, c);
    const secondBlock = elements.filter((e) => e.at >= 65536);
    expect(secondBlock.length).toBeGreaterThan(0);
  });

  it('returns a fresh exact-size array, never a view of the shared scratch', () => {
    const c = new SnappyCompressor();
    const a = structured(50_000, 1);
    const b = randomBytes(50_000, 2);
    const first = c.compress(a);
    const saved = Uint8Array.from(first);
    const second = c.compress(b);
    c.compress(new Uint8Array(60_000));
    expectSameBytes(first, saved);
    expect(first.buffer).not.toBe(second.buffer);
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBe(first.length);
    expectSameBytes(snappyjs.uncompress(first), a);
    expectSameBytes(snappyjs.uncompress(second), b);
  });

  it('compresses inputs beyond the retained scratch cap correctly, and keeps working after', () => {
    const c = new SnappyCompressor({ maxRetainedScratch: 4096 });
    const small = structured(1000, 1);
    const big = structured(100_000, 2);
    const s1 = c.compress(small);
    const bigOut = c.compress(big);
    const s2 = c.compress(small);
    expectSameBytes(s2, s1);
    checkStream(bigOut, big.length);
    expectSameBytes(snappyjs.uncompress(bigOut), big);
    expectSameBytes(snappyjs.uncompress(s1), small);
  });
});
