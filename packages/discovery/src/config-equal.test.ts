import { Secret } from '@scrapewire/config';
import { describe, expect, it } from 'vitest';
import { configEqual } from './config-equal.js';

describe('configEqual', () => {
  it('should compare plain data structurally', () => {
    expect(configEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(configEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe(false);
    expect(configEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(configEqual([1, 2], [2, 1])).toBe(false);
    expect(configEqual(null, {})).toBe(false);
  });

  it('should treat a key set to undefined as absent', () => {
    expect(configEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
  });

  it('should compare secrets by value', () => {
    expect(configEqual({ p: new Secret('s') }, { p: new Secret('s') })).toBe(true);
    expect(configEqual({ p: new Secret('s') }, { p: new Secret('t') })).toBe(false);
  });
});
