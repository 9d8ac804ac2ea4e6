import { describe, expect, it } from 'vitest';
import { createOpenMetricsParser } from './openmetrics-parser.js';
import { parseExposition } from './parse-exposition.js';
import { ParseError } from './parse-error.js';
import { EntryKind } from './parser.js';

const OM = 'application/openmetrics-text; version=1.0.0';
const om = (s: string) => parseExposition(s, OM);

describe('OpenMetrics parser', () => {
  it('parses metadata, units, exemplars and float-second timestamps', () => {
    const fams = om(
      [
        '# TYPE rpc_seconds histogram',
        '# UNIT rpc_seconds seconds',
        '# HELP rpc_seconds RPC latency \\"quoted\\"\\nnext',
        'rpc_seconds_bucket{le="0.5"} 1 1700000000.123 # {trace_id="abc"} 0.3 1700000000.5',
        'rpc_seconds_bucket{le="+Inf"} 2 1700000000.123',
        'rpc_seconds_count 2 1700000000.123',
        'rpc_seconds_sum 0.9 1700000000.123',
        'rpc_seconds_created 1699999999.5 1700000000.123',
        '# TYPE up stateset',
        'up{up="a"} 1',
        'up{up="b"} 0',
        '# TYPE build info',
        'build_info{version="1"} 1',
        '# EOF',
      ].join('\n'),
    );
    expect(fams.map((f) => [f.name, f.type, f.unit, f.samples.length])).toEqual([
      ['rpc_seconds', 'histogram', 'seconds', 5],
      ['up', 'stateset', '', 2],
      ['build', 'info', '', 1],
    ]);
    expect(fams[0]!.help).toBe('RPC latency "quoted"\nnext');
    expect(fams[0]!.samples[0]).toEqual({
      name: 'rpc_seconds_bucket',
      labels: { le: '0.5' },
      value: 1,
      timestampMs: 1_700_000_000_123,
      exemplar: { labels: { trace_id: 'abc' }, value: 0.3, timestampMs: 1_700_000_000_500 },
    });
    expect(fams[0]!.samples[1]!.labels).toEqual({ le: '+Inf' });
  });

  it('reports End only at # EOF and stays at End', () => {
    const p = createOpenMetricsParser(Buffer.from('a 1\n# EOF'));
    expect(p.next()).toBe(EntryKind.Series);
    expect(p.createdTimestampMs()).toBeUndefined();
    expect(p.next()).toBe(EntryKind.End);
    expect(p.next()).toBe(EntryKind.End);
  });

  it.each([
    ['a 1\n', 'data does not end with # EOF', 2, 1],
    ['a 1\n# EOF\n\n', 'unexpected data after # EOF', 3, 1],
    ['a 1\n# random comment\n# EOF\n', 'expected "# HELP"', 2, 1],
    ['a  1\n# EOF\n', 'expected a value', 1, 3],
    ['a{b="1",} 1\n# EOF\n', 'trailing comma', 1, 9],
    ['# TYPE a counter\na_total -1\n# EOF\n', 'must not be negative', 2, 1],
    ['# TYPE a gauge\na 1 # {b="c"} 1\n# EOF\n', 'exemplar not allowed', 2, 1],
    ['# UNIT a_b c\n# EOF\n', 'not a suffix', 1, 1],
  ])('rejects %j with %j at %i:%i', (input, reason, line, column) => {
    let err: unknown;
    try {
      om(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    const pe = err as ParseError;
    expect(pe.reason).toContain(reason);
    expect([pe.line, pe.column]).toEqual([line, column]);
  });
});
