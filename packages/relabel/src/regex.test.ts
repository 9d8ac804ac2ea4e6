import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compileRelabelRegex } from './regex.js';

function reference(source: string, value: string): number[] | undefined {
  const re = RE2JS.compile(`^(?s:${source})$`).re2();
  return (re.findSubmatchIndex(value) as number[] | null) ?? undefined;
}

const patterns = [
  '.*',
  '(.*)',
  '.+',
  '(.+)',
  '',
  'foo',
  'a\\.b',
  'Succeeded|Failed',
  '(Succeeded|Failed)',
  '(?:x|y|)',
  'true',
  '__meta_kubernetes_pod_label_(.+)',
  '__meta_(.*)',
  'a\\|b(.*)',
  // Not fast-pathed: must still behave.
  '(.*)x',
  '(a)|(b)',
  'a)|(b',
  '[ab]+',
  '(?i)foo',
  'x\\(.*\\)',
];

describe('compileRelabelRegex', () => {
  it.each(patterns)('agrees with RE2 on %j', (source) => {
    const re = compileRelabelRegex(source);
    const values = fc.sample(
      fc.oneof(
        fc.string({ unit: fc.constantFrom('a', 'b', 'x', 'y', '.', '|', '\n', 'é', '😀', '_') }),
        fc.constantFrom(
          '',
          'foo',
          'a.b',
          'a|b',
          'Succeeded',
          'Failed',
          '__meta_kubernetes_pod_label_app',
          '__meta_',
          'FOO',
        ),
      ),
      300,
    );
    for (const v of values) {
      const want = reference(source, v);
      expect(re.exec(v), `${source} on ${JSON.stringify(v)}`).toEqual(want);
      expect(re.matches(v)).toBe(want !== undefined);
    }
  });

  it('anchors with (?s): . matches a newline', () => {
    expect(compileRelabelRegex('a.b').matches('a\nb')).toBe(true);
    expect(compileRelabelRegex('.*').matches('x\ny')).toBe(true);
  });

  it('reports named groups', () => {
    const re = compileRelabelRegex('(?P<host>[^:]+):(?<port>\\d+)');
    expect(re.namedGroups).toEqual({ host: 1, port: 2 });
    expect(re.exec('h:80')).toEqual([0, 4, 0, 1, 2, 4]);
  });

  it('rejects what RE2 rejects, naming the regex', () => {
    expect(() => compileRelabelRegex('(?<=a)b')).toThrowError(/invalid regex "\(\?<=a\)b"/);
    expect(() => compileRelabelRegex('a{2,1}')).toThrowError(/invalid regex/);
  });
});
