import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOpenMetricsParser } from './openmetrics-parser.js';
import { type ParsedFamily, parseExposition } from './parse-exposition.js';
import { ParseError } from './parse-error.js';
import { EntryKind, type ExpositionParser } from './parser.js';
import { createTextParser } from './prom-parser.js';

const FORMATS = [
  ['text', createTextParser],
  ['openmetrics', createOpenMetricsParser],
] as const;

/**
 * Drains a parser calling every accessor. Returns normally or throws a ParseError; anything else fails
 * the property. Each `next()` consumes input, so the entry count is bounded by the body length.
 */
function drain(make: (b: Uint8Array) => ExpositionParser, body: Uint8Array): void {
  const p = make(body);
  let entries = 0;
  try {
    for (let k = p.next(); k !== EntryKind.End; k = p.next()) {
      if (++entries > body.length + 1) throw new Error('parser does not advance');
      if (k === EntryKind.Series) {
        p.labels();
        p.seriesKey();
        p.value();
        p.timestampMs();
        p.exemplar();
      } else if (k === EntryKind.Help) p.help();
      else if (k === EntryKind.Type) p.type();
      else if (k === EntryKind.Unit) p.unit();
      else p.comment();
    }
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.column).toBeGreaterThanOrEqual(1);
  }
}

// Characters that exercise every branch of the grammars: quotes, escapes, braces, separators, multi-byte.
const tricky = fc.constantFrom(
  'a',
  'Z',
  '_',
  ':',
  '0',
  '9',
  '.',
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
  '☃',
  '𝄞',
  'e',
  '+',
  '-',
);
const labelValue = fc.string({ unit: tricky, minLength: 1, maxLength: 12 });
const labelName = fc
  .stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/)
  .filter((n) => n !== '__name__' && !n.startsWith('__'));
const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,10}$/);
const sampleValue = fc.oneof(
  fc.double(),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
);

const escapeLabel = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const formatValue = (v: number) =>
  Number.isNaN(v)
    ? 'NaN'
    : v === Number.POSITIVE_INFINITY
      ? '+Inf'
      : v === Number.NEGATIVE_INFINITY
        ? '-Inf'
        : Object.is(v, -0)
          ? '-0'
          : String(v);

interface GenFamily {
  name: string;
  type: 'gauge' | 'counter' | 'unknown';
  help: string;
  samples: { labels: Record<string, string>; value: number; timestampMs?: number }[];
}

const family = (om: boolean) =>
  fc.record({
    name: metricName,
    type: fc.constantFrom('gauge' as const, 'unknown' as const, ...(om ? [] : ['counter' as const])),
    help: fc.string({ unit: tricky, maxLength: 20 }),
    samples: fc.uniqueArray(
      fc.record(
        {
          labels: fc.dictionary(labelName, labelValue, { maxKeys: 4 }),
          value: sampleValue,
          timestampMs: om ? fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => s * 1000) : fc.maxSafeNat(),
        },
        { requiredKeys: ['labels', 'value'] },
      ),
      { maxLength: 5, selector: (s) => JSON.stringify(Object.entries(s.labels).sort()) },
    ),
  });

const families = (om: boolean) =>
  fc.uniqueArray(family(om), { maxLength: 6, selector: (f) => f.name }).filter((fs) =>
    // An OpenMetrics family must not be named like another family's samples; ours only use bare names.
    fs.every((f) => f.samples.length > 0 || f.help !== ''),
  );

function render(fams: GenFamily[], om: boolean): string {
  const lines: string[] = [];
  for (const f of fams) {
    const text = om ? escapeLabel(f.help) : f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    lines.push(
      `# HELP ${f.name} ${text}`,
      `# TYPE ${f.name} ${f.type === 'unknown' && !om ? 'untyped' : f.type}`,
    );
    for (const s of f.samples) {
      const ls = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      let line = `${f.name}${ls ? `{${ls}}` : ''} ${formatValue(s.value)}`;
      if (s.timestampMs !== undefined) line += ` ${om ? s.timestampMs / 1000 : s.timestampMs}`;
      lines.push(line);
    }
  }
  if (om) lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function expected(fams: GenFamily[]): ParsedFamily[] {
  return fams.map((f) => ({
    name: f.name,
    type: f.type,
    help: f.help,
    unit: '',
    samples: f.samples.map((s) => ({ name: f.name, ...s })),
  }));
}

describe('parser properties', () => {
  for (const [name, make] of FORMATS) {
    it(`${name}: arbitrary bytes end or throw ParseError`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => drain(make, bytes)),
        { numRuns: 300 },
      );
    });

    it(`${name}: mutated and truncated valid expositions end or throw ParseError`, () => {
      const om = name === 'openmetrics';
      fc.assert(
        fc.property(
          families(om),
          fc.array(
            fc.tuple(
              fc.nat(),
              fc.constantFrom('delete', 'insert', 'replace'),
              fc.integer({ min: 0, max: 255 }),
            ),
            {
              maxLength: 4,
            },
          ),
          fc.nat(),
          (fams, edits, cut) => {
            const bytes = [...Buffer.from(render(fams, om))];
            for (const [at, op, byte] of edits) {
              const i = bytes.length === 0 ? 0 : at % bytes.length;
              if (op === 'delete') bytes.splice(i, 1);
              else if (op === 'insert') bytes.splice(i, 0, byte);
              else bytes[i] = byte;
            }
            drain(make, Uint8Array.from(bytes));
            drain(make, Uint8Array.from(bytes.slice(0, cut % (bytes.length + 1))));
          },
        ),
        { numRuns: 200 },
      );
    });
  }

  it('text: parseExposition round-trips generated expositions', () => {
    fc.assert(
      fc.property(families(false), (fams) => {
        expect(parseExposition(render(fams, false))).toEqual(expected(fams));
      }),
      { numRuns: 200 },
    );
  });

  it('openmetrics: parseExposition round-trips generated expositions', () => {
    fc.assert(
      fc.property(families(true), (fams) => {
        const out = parseExposition(render(fams, true), 'application/openmetrics-text; version=1.0.0');
        expect(out).toEqual(expected(fams));
      }),
      { numRuns: 200 },
    );
  });

  it('handles very long and very wide inputs in linear time', () => {
    const longValue = `a{b="${'x'.repeat(2_000_000)}"} 1\n`;
    const manyLabels = `a{${Array.from({ length: 20_000 }, (_, i) => `l${i}="v"`).join(',')}} 1\n`;
    const deepBraces = `${'{'.repeat(100_000)}\n`;
    const blanks = `a${' '.repeat(1_000_000)}1\n`;
    const manyLines = 'a{b="c"} 1\n'.repeat(100_000);
    for (const [, make] of FORMATS) {
      for (const s of [longValue, manyLabels, deepBraces, blanks, manyLines]) drain(make, Buffer.from(s));
    }
    const p = createTextParser(Buffer.from(manyLabels));
    p.next();
    expect(p.labels().size).toBe(20_001);
  });
});
