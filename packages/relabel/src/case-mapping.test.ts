import { describe, expect, it } from 'vitest';
import { goToLower, goToUpper } from './case-mapping.js';

describe("Go's strings.ToUpper / ToLower", () => {
  it.each([
    ['abc', 'ABC'],
    ['straße', 'STRAßE'], // no simple uppercase for ß (JS would give SS)
    ['ﬁ', 'ﬁ'], // ligature: full mapping only
    ['ᾳ', 'ᾼ'], // simple mapping to the prosgegrammeni letter
    ['ǆ', 'Ǆ'],
    ['héllo 日本 😀', 'HÉLLO 日本 😀'],
  ])('upper %j → %j', (s, want) => {
    expect(goToUpper(s)).toBe(want);
  });

  it.each([
    ['ABC', 'abc'],
    ['İ', 'i'], // simple mapping (JS would give i + combining dot)
    ['ΟΔΟΣ', 'οδοσ'], // no final-sigma context rule
    ['Ǆ', 'ǆ'],
    ['HÉLLO 😀', 'héllo 😀'],
  ])('lower %j → %j', (s, want) => {
    expect(goToLower(s)).toBe(want);
  });
});
