import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTextParser } from './prom-parser.js';
import { parseExposition } from './parse-exposition.js';
import { EntryKind } from './parser.js';

// Real /metrics payloads of two Apache-2.0 projects; see test/fixtures/exporters/NOTICE.
const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../test/fixtures/exporters', name));

describe.each([
  ['node_exporter-1.5.txt', 507, 'node_cpu_seconds_total'],
  ['prometheus-2.42.txt', 324, 'prometheus_http_requests_total'],
])('%s', (file, seriesCount, someMetric) => {
  const body = fixture(file);

  it(`parses all ${seriesCount} series with unique label sets`, () => {
    const p = createTextParser(body);
    const keys = new Set<string>();
    const labelKeys = new Set<string>();
    let help = 0;
    let types = 0;
    for (let k = p.next(); k !== EntryKind.End; k = p.next()) {
      if (k === EntryKind.Series) {
        keys.add(p.seriesKey());
        labelKeys.add(p.labels().key());
        expect(Number.isNaN(p.value()) || typeof p.value() === 'number').toBe(true);
      } else if (k === EntryKind.Help) help++;
      else if (k === EntryKind.Type) types++;
    }
    expect(keys.size).toBe(seriesCount);
    expect(labelKeys.size).toBe(seriesCount);
    expect(help).toBe(types);
  });

  it('groups samples into families with their metadata', () => {
    const fams = parseExposition(body);
    expect(fams.reduce((n, f) => n + f.samples.length, 0)).toBe(seriesCount);
    const fam = fams.find((f) => f.samples.some((s) => s.name === someMetric))!;
    expect(fam.type).toBe('counter');
    expect(fam.help).not.toBe('');
  });
});
