import { describe, expect, it } from 'vitest';
import { Labels, fnv1a64 } from './labels.js';
import { formatDuration } from './duration.js';

describe('Labels', () => {
  it('sorts by name and drops empty values', () => {
    const l = Labels.from({ z: '1', a: '2', empty: '' });
    expect(l.names()).toEqual(['a', 'z']);
    expect(l.get('a')).toBe('2');
    expect(l.get('empty')).toBe('');
    expect(l.has('empty')).toBe(false);
    expect(l.size).toBe(2);
  });

  it('compares and keys structurally', () => {
    const a = Labels.fromPairs(['b', '2', 'a', '1']);
    const b = Labels.from({ a: '1', b: '2' });
    expect(a.equals(b)).toBe(true);
    expect(a.key()).toBe(b.key());
    expect(Labels.compare(a, b)).toBe(0);
    expect(Labels.compare(Labels.from({ a: '1' }), b)).toBeLessThan(0);
    expect(Labels.compare(Labels.from({ a: '2' }), b)).toBeGreaterThan(0);
    expect(a.hash()).toBe(b.hash());
    expect(a.hash()).not.toBe(Labels.from({ a: '1', b: '3' }).hash());
  });

  it('builds with set and del', () => {
    const base = Labels.from({ a: '1', b: '2' });
    const out = base.builder().set('c', '3').del('a').set('b', '').labels();
    expect(out.toObject()).toEqual({ c: '3' });
    expect(base.toObject()).toEqual({ a: '1', b: '2' });
  });

  it('prints in Prometheus notation', () => {
    expect(Labels.from({ a: 'x"y' }).toString()).toBe('{a="x\\"y"}');
  });

  it('computes FNV-1a 64 like Go hash/fnv', () => {
    // Known vectors for FNV-1a 64.
    expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
    expect(fnv1a64('a')).toBe(0xaf63dc4c8601ec8cn);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [15_000, '15s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [1500, '1s500ms'],
  ])('%d ms is %s', (ms, s) => expect(formatDuration(ms)).toBe(s));
});
