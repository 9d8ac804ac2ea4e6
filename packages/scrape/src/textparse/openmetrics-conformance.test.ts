import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOpenMetricsParser } from './openmetrics-parser.js';
import { ParseError } from './parse-error.js';
import { EntryKind } from './parser.js';

// The OpenMetrics project's parser conformance cases (Apache-2.0, see the LICENSE beside them).
const dir = join(import.meta.dirname, '../../test/fixtures/openmetrics/parsers');
const cases = readdirSync(dir)
  .sort()
  .map((name) => {
    const spec = JSON.parse(readFileSync(join(dir, name, 'test.json'), 'utf8')) as {
      file: string;
      shouldParse: boolean;
    };
    return { name, shouldParse: spec.shouldParse, body: readFileSync(join(dir, name, spec.file)) };
  });

/** Drains a parser the way the scrape loop does, touching every accessor. */
function drain(body: Uint8Array): void {
  const p = createOpenMetricsParser(body);
  for (let k = p.next(); k !== EntryKind.End; k = p.next()) {
    if (k === EntryKind.Series) {
      p.labels();
      p.exemplar();
    } else if (k === EntryKind.Help) p.help();
    else if (k === EntryKind.Type) p.type();
    else if (k === EntryKind.Unit) p.unit();
  }
}

describe('OpenMetrics conformance', () => {
  it('has all 211 cases, 44 valid', () => {
    expect(cases).toHaveLength(211);
    expect(cases.filter((c) => c.shouldParse)).toHaveLength(44);
  });

  for (const c of cases) {
    it(`${c.shouldParse ? 'accepts' : 'rejects'} ${c.name}`, () => {
      if (c.shouldParse) {
        expect(() => drain(c.body)).not.toThrow();
      } else {
        let err: unknown;
        try {
          drain(c.body);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(ParseError);
      }
    });
  }
});
