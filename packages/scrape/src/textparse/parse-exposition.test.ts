import { describe, expect, it } from 'vitest';
import { UnsupportedContentTypeError } from './create-parser.js';
import { ParseError } from './parse-error.js';
import { parseExposition } from './parse-exposition.js';

describe('parseExposition', () => {
  it('groups histogram and summary samples under their family and normalises le and quantile', () => {
    const fams = parseExposition(
      [
        '# HELP lat Latency.',
        '# TYPE lat histogram',
        'lat_bucket{le="0.5"} 1',
        'lat_bucket{le="1"} 2',
        'lat_bucket{le="+Inf"} 3',
        'lat_sum 1.5',
        'lat_count 3',
        '# TYPE q summary',
        'q{quantile="0"} 1',
        'q_sum 2',
        'q_count 1',
        'loose 7',
        '',
      ].join('\n'),
    );
    expect(fams.map((f) => [f.name, f.type, f.help, f.samples.map((s) => s.name)])).toEqual([
      ['lat', 'histogram', 'Latency.', ['lat_bucket', 'lat_bucket', 'lat_bucket', 'lat_sum', 'lat_count']],
      ['q', 'summary', '', ['q', 'q_sum', 'q_count']],
      ['loose', 'unknown', '', ['loose']],
    ]);
    expect(fams[0]!.samples.map((s) => s.labels.le)).toEqual(['0.5', '1.0', '+Inf', undefined, undefined]);
    expect(fams[1]!.samples[0]!.labels).toEqual({ quantile: '0.0' });
  });

  it('accepts strings and byte arrays, and reads OpenMetrics by content type', () => {
    const text = 'a{b="c"} 1\n';
    expect(parseExposition(text)).toEqual(parseExposition(new TextEncoder().encode(text)));
    expect(
      parseExposition('# TYPE a counter\na_total 1\na_created 2\n# EOF\n', 'application/openmetrics-text'),
    ).toEqual([
      {
        name: 'a',
        type: 'counter',
        help: '',
        unit: '',
        samples: [
          { name: 'a_total', labels: {}, value: 1 },
          { name: 'a_created', labels: {}, value: 2 },
        ],
      },
    ]);
  });

  it('throws ParseError for invalid bodies and names unusable content types', () => {
    expect(() => parseExposition('a{\n')).toThrow(ParseError);
    expect(() => parseExposition('a 1\n', 'application/json')).toThrow(UnsupportedContentTypeError);
    expect(parseExposition('a 1\n', 'application/json', { fallback: 'PrometheusText0.0.4' })).toHaveLength(1);
  });
});
