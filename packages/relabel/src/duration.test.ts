import { describe, expect, it } from 'vitest';
import { goQuote, parsePrometheusDuration } from './duration.js';

describe('parsePrometheusDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['15s', 15_000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['100ms', 100],
    ['1m30s500ms', 90_500],
  ])('%j = %d ms', (s, ms) => {
    expect(parsePrometheusDuration(s)).toBe(ms);
  });

  it.each([
    ['', 'empty duration string'],
    ['1', 'not a valid duration string: "1"'],
    ['s', 'not a valid duration string: "s"'],
    ['30m1h', 'not a valid duration string: "30m1h"'],
    ['1s1s', 'not a valid duration string: "1s1s"'],
    ['1.5s', 'unknown unit "." in duration "1.5s"'],
    ['-1s', 'not a valid duration string: "-1s"'],
    ['1x', 'unknown unit "x" in duration "1x"'],
    ['300y', 'duration out of range'],
  ])('%j fails with %j', (s, message) => {
    expect(() => parsePrometheusDuration(s)).toThrowError(message);
  });
});

describe('goQuote', () => {
  it('escapes like Go %q for common characters', () => {
    expect(goQuote('a"b\\c\n\t\x01')).toBe('"a\\"b\\\\c\\n\\t\\x01"');
  });
});
