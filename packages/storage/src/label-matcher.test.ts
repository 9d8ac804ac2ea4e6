import { Labels } from '@scrapewire/model';
import { describe, expect, it } from 'vitest';
import { LabelMatcher, matchesAll } from './label-matcher.js';

describe('LabelMatcher', () => {
  it.each([
    ['=', 'api', 'api', true],
    ['=', 'api', 'api2', false],
    ['!=', 'api', 'web', true],
    ['=~', 'a.i', 'api', true],
    // Anchored at both ends, as in Prometheus.
    ['=~', 'api', 'my-api', false],
    ['=~', 'api', 'api-2', false],
    ['=~', 'a|b', 'ab', false],
    ['=~', 'a|b', 'b', true],
    ['!~', 'a|b', 'c', true],
    ['!~', '.*', '', false],
    // Absent labels match as the empty string.
    ['=~', '', '', true],
    ['=~', 'x?', '', true],
  ] as const)('%s %j on %j → %s', (type, value, input, want) => {
    expect(LabelMatcher.of('job', type, value).matchesValue(input)).toBe(want);
  });

  it('treats an absent label as empty', () => {
    const l = Labels.from({ job: 'api' });
    expect(LabelMatcher.of('env', '=', '').matches(l)).toBe(true);
    expect(LabelMatcher.of('env', '!=', '').matches(l)).toBe(false);
    expect(LabelMatcher.of('env', '=~', 'prod|').matches(l)).toBe(true);
  });

  it('uses RE2 syntax and rejects what RE2 cannot compile (backreferences, lookahead)', () => {
    expect(LabelMatcher.of('x', '=~', '\\d+').matchesValue('123')).toBe(true);
    expect(() => LabelMatcher.of('x', '=~', '(a)\\1')).toThrow(/invalid regular expression/);
    expect(() => LabelMatcher.of('x', '=~', '(?=a)')).toThrow(/invalid regular expression/);
  });

  it('requires every matcher in matchesAll, and matches everything with none', () => {
    const l = Labels.from({ __name__: 'up', job: 'api' });
    expect(matchesAll([], l)).toBe(true);
    const ms = LabelMatcher.compileAll([
      { name: '__name__', type: '=', value: 'up' },
      { name: 'job', type: '=~', value: 'a.*' },
    ]);
    expect(matchesAll(ms, l)).toBe(true);
    expect(matchesAll([...ms, LabelMatcher.of('job', '!=', 'api')], l)).toBe(false);
    expect(String(ms[1])).toBe('job=~"a.*"');
  });
});
