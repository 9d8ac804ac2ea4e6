import { describe, expect, it } from 'vitest';
import { belongsToFamily } from './metric-family.js';

describe('belongsToFamily', () => {
  it.each([
    ['c', 'c', 'counter', true],
    ['c_total', 'c', 'counter', true],
    ['c_total', 'c_total', 'counter', true],
    ['c', 'c_total', 'counter', true],
    ['c_created', 'c', 'counter', true],
    ['c_count', 'c', 'counter', false],
    ['cc_total', 'c', 'counter', false],
    ['h_bucket', 'h', 'histogram', true],
    ['h_sum', 'h', 'histogram', true],
    ['h_count', 'h', 'histogram', true],
    ['h_created', 'h', 'histogram', true],
    ['h', 'h', 'histogram', true],
    ['h_total', 'h', 'histogram', false],
    ['h_gsum', 'h', 'histogram', false],
    ['g_bucket', 'g', 'gaugehistogram', true],
    ['g_gsum', 'g', 'gaugehistogram', true],
    ['g_gcount', 'g', 'gaugehistogram', true],
    ['g_sum', 'g', 'gaugehistogram', false],
    ['g_created', 'g', 'gaugehistogram', false],
    ['s', 's', 'summary', true],
    ['s_sum', 's', 'summary', true],
    ['s_count', 's', 'summary', true],
    ['s_created', 's', 'summary', true],
    ['s_bucket', 's', 'summary', false],
    ['i_info', 'i', 'info', true],
    ['i_info', 'i_info', 'info', true],
    ['i', 'i', 'info', true],
    ['x', 'x', 'gauge', true],
    ['x_total', 'x', 'gauge', false],
    ['x_sum', 'x', 'unknown', false],
    ['x', 'x', 'stateset', true],
    ['y', 'x', 'gauge', false],
  ] as const)('%s in family %s (%s) → %s', (name, family, type, want) => {
    expect(belongsToFamily(name, family, type)).toBe(want);
  });
});
