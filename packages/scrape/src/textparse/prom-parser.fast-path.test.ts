import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from './parse-error.js';
import { EntryKind } from './parser.js';
import { PromTextParser } from './prom-parser.js';

/**
 * The text parser's fast paths (common line shapes, scanned without the general code's checks) must
 * behave exactly like the general code they shortcut. These tests run both on the same bodies — real
 * payloads, generated ones and randomly damaged ones — and compare every accessor and every error.
 */

type Outcome = { entries: unknown[]; error?: { reason: string; line: number; column: number } };

/** Everything observable about a parse: each entry through every accessor, and the error if any. */
function observe(body: Uint8Array, fastPath: boolean): Outcome {
  const p = new PromTextParser(body, { fastPath });
  const entries: unknown[] = [];
  const attempt = (f: () => unknown): unknown => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ParseError) return { accessorError: e.message };
      throw e;
    }
  };
  try {
    for (let k = p.next(); k !== EntryKind.End; k = p.next()) {
      const at = p.entryOffset();
      if (k === EntryKind.Series) {
        entries.push({
          at,
          key: p.seriesKey(),
          bytes: Buffer.from(p.seriesBytes()).toString('latin1'),
          name: p.metricName(),
          labels: attempt(() => p.labels().toObject()),
          value: Object.is(p.value(), -0) ? '-0' : String(p.value()),
          ts: p.timestampMs(),
        });
      } else if (k === EntryKind.Help) entries.push({ at, help: p.help() });
      else if (k === EntryKind.Type) entries.push({ at, type: p.type() });
      else entries.push({ at, comment: p.comment() });
    }
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return { entries, error: { reason: e.reason, line: e.line, column: e.column } };
  }
  return { entries };
}

function expectSame(body: Uint8Array): void {
  expect(observe(body, true)).toEqual(observe(body, false));
}

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../test/fixtures/exporters', name));

// Lines close to the fast paths' shapes, and the bytes that make them leave those shapes.
const line = fc.constantFrom(
  '# HELP m Some help.',
  '# HELP m_seconds_total Temps passé (µs) — ünïcode',
  '# HELP a_long_metric_name_total A plain ASCII help text, long enough to be sliced.',
  '# HELP m_total a\\\\b \\n "q"',
  '# HELP m',
  '# HELP m ',
  '# HELP m\ttab',
  '# HELP',
  '# TYPE m counter',
  '# TYPE m gauge',
  '# TYPE m histogram',
  '# TYPE m summary',
  '# TYPE m untyped',
  '# TYPE m counte',
  '# TYPE m counters',
  '# TYPE m  gauge',
  '# TYPE m gauge ',
  '# TYPE 0m gauge',
  '# comment',
  '#',
  '',
  '  ',
  'm 1',
  'm 1 1700000000000',
  'm -1.5e-3',
  'm 1e22',
  'm 1e23',
  'm 123456789012345',
  'm 1234567890123456',
  'm 0.000000000000000000001',
  'm NaN',
  'm +Inf',
  'm -Inf',
  'm 1.',
  'm .5',
  'm .',
  'm -',
  'm 1e',
  'm 1e+',
  'm 1e0001',
  'm 1E5',
  'm 1 -1',
  'm 1 99999999999999999999',
  'm 1 1234567890123456',
  'm  1',
  'm 1 ',
  'm\t1',
  'm{} 1',
  'm{a="b"} 1',
  'm{a="b",} 1',
  'm{a="b",c="d"} 2 3',
  'm{a="b" c="d"} 2',
  'm{a="b", c="d"} 2',
  'm{a = "b"} 2',
  'm{a="b\\"c"} 1',
  'm{a="x\\",b="y"} 1',
  'm{a="\\\\",b="\\n"} 1',
  'm{a="é☃"} 1',
  'm{a="b"}1',
  'm{a="b"} 1{',
  'm{a="b",a="c"} 1',
  'm{"a"="b"} 1',
  'm{"q.m"} 1',
  '{"q.m",a="b"} 1',
  'm{a="b',
  'm{a=b} 1',
  'm{0="b"} 1',
);
// Metric names to put in the lines above: names that share 4-byte prefixes of different lengths with each
// other (the fast path compares a name with the previous one in 4-byte steps), and damaged names.
const name = fc.constantFrom(
  'm',
  'abcd',
  'abcde',
  'abcdefgh',
  'abcdefgh_total',
  'abcdefgh_bucket',
  'abcdefgi',
  'abcd:efgh',
  'abcd-efgh',
  'abcdéfgh',
  'abcd efgh',
  'abcdefg{',
  'abcdefgh"',
);
const namedLine = fc
  .tuple(line, name)
  .map(([l, n]) => l.replace(/^m(?=[ {\t]|$)|(?<=^# (?:HELP|TYPE) )m(?=[ \t]|$)/, n));
const damage = fc.constantFrom(
  '"',
  '\\',
  '\n',
  '{',
  '}',
  ',',
  '=',
  ' ',
  '\t',
  '#',
  'é',
  'e',
  '-',
  '.',
  '0',
  '\xff',
);

describe('text parser fast paths', () => {
  it.each(['node_exporter-1.5.txt', 'prometheus-2.42.txt'])('match the general code on %s', (name) => {
    const body = fixture(name);
    expectSame(body);
    // Without the final newline the general code runs throughout; the results must not change.
    expectSame(body.subarray(0, body.length - 1));
  });

  it('match the general code on generated bodies', () => {
    fc.assert(
      fc.property(fc.array(namedLine, { maxLength: 12 }), fc.boolean(), (lines, finalNewline) => {
        expectSame(Buffer.from(lines.join('\n') + (finalNewline ? '\n' : ''), 'utf8'));
      }),
      { numRuns: 2000 },
    );
  });

  it('match the general code on damaged payloads', () => {
    const body = fixture('prometheus-2.42.txt');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(body.length - 1), damage, fc.boolean()), { minLength: 1, maxLength: 3 }),
        (edits) => {
          const bytes = Array.from(body);
          for (const [at, ch, insert] of edits) {
            const add = Array.from(Buffer.from(ch, ch === '\xff' ? 'latin1' : 'utf8'));
            bytes.splice(at, insert ? 0 : 1, ...add);
          }
          expectSame(Uint8Array.from(bytes));
        },
      ),
      { numRuns: 300 },
    );
  });
});
