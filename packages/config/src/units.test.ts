import fc from 'fast-check';
import { formatDuration } from '@scrapewire/model';
import { describe, expect, it } from 'vitest';
import { formatSize, parseDuration, parseSize } from './units.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['15s', 15_000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1y', 365 * 86_400_000],
    ['100ms', 100],
    ['1m5ms', 60_005],
    ['1h1m1s1ms', 3_661_001],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30m1h', '1.5s', '5', '-1s', '1 m', '1M', '1s1s', 'ms'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow();
  });

  it('reads back what formatDuration prints', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 365 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe('parseSize', () => {
  it.each([
    ['0', 0],
    ['0B', 0],
    ['100B', 100],
    ['1KB', 1024],
    ['1KiB', 1024],
    ['10MB', 10 * 2 ** 20],
    ['1GB512MB', 2 ** 30 + 512 * 2 ** 20],
    ['1.5KB', 1536],
  ])('%s → %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', '1024', '10mb', '1XB', 'MB'])('rejects %j', (text) => {
    expect(() => parseSize(text)).toThrow();
  });

  it('reads back what formatSize prints', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), (bytes) => {
        expect(parseSize(formatSize(bytes))).toBe(bytes);
      }),
    );
  });
});
