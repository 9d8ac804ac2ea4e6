import { describe, expect, it } from 'vitest';
import { formatGoFloatG, formatOpenMetricsFloat, parseGoFloatString } from './float.js';

describe('formatOpenMetricsFloat', () => {
  // Expected strings are what Go's strconv.FormatFloat(f, 'g', -1, 64) gives, plus Prometheus's ".0".
  it.each([
    [0, '0.0'],
    [1, '1.0'],
    [-1, '-1.0'],
    [0.5, '0.5'],
    [0.25, '0.25'],
    [100000, '100000.0'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.1e-4, '0.00011'],
    [1e-10, '1e-10'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [2.5e-300, '2.5e-300'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [Number.NaN, 'NaN'],
  ])('%d → %s', (f, s) => expect(formatOpenMetricsFloat(f)).toBe(s));

  it('formats negative zero as Go does', () => expect(formatGoFloatG(-0)).toBe('-0'));
});

describe('parseGoFloatString', () => {
  it('rounds correctly on both the fast and the slow path', () => {
    for (const s of [
      '0.1',
      '0.3',
      '123.456',
      '9007199254740993',
      '1.7976931348623157e308',
      '5e-324',
      '2.2250738585072011e-308',
    ]) {
      expect(parseGoFloatString(s), s).toBe(Number(s));
    }
  });

  it('treats non-ASCII input as invalid', () => expect(parseGoFloatString('１')).toBeUndefined());
});
