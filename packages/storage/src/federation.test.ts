/// <reference path="../test/parse-prometheus-text-format.d.ts" />
import { Labels } from '@scrapewire/model';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { formatFederation, formatGoFloat } from './federation.js';

const point = (value: number, timestampMs = 1000, stale = false) => ({ timestampMs, value, stale });

describe('formatGoFloat', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [-1.5, '-1.5'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
  ])('formats %s as %s (Go strconv g, -1)', (v, s) => {
    expect(formatGoFloat(v)).toBe(s);
  });
});

describe('formatFederation', () => {
  it('writes one TYPE line per name, escaped labels, values and timestamps; skips stale markers', () => {
    const text = formatFederation([
      { labels: Labels.from({ __name__: 'up', job: 'b', instance: 'x:1' }), sample: point(1, 2000) },
      { labels: Labels.from({ __name__: 'up', job: 'a' }), sample: point(0, 1000) },
      { labels: Labels.from({ __name__: 'gone', job: 'a' }), sample: point(Number.NaN, 1000, true) },
      { labels: Labels.from({ __name__: 'msg', v: 'a"b\\c\nd' }), sample: point(2e6, 3000) },
      { labels: Labels.from({ __name__: 'bare' }), sample: point(1) },
    ]);
    expect(text).toBe(
      [
        '# TYPE bare untyped',
        'bare 1 1000',
        '# TYPE msg untyped',
        'msg{v="a\\"b\\\\c\\nd"} 2e+06 3000',
        '# TYPE up untyped',
        'up{instance="x:1",job="b"} 1 2000',
        'up{job="a"} 0 1000',
        '',
      ].join('\n'),
    );
  });

  it('round-trips through an independent text-format parser', () => {
    const text = formatFederation([
      { labels: Labels.from({ __name__: 'node_load1', instance: 'h:9100' }), sample: point(0.25, 5000) },
    ]);
    const parsed = parsePrometheusTextFormat(text) as {
      name: string;
      metrics: { value: string; labels: Record<string, string>; timestamp_ms?: string }[];
    }[];
    expect(parsed[0]!.name).toBe('node_load1');
    expect(parsed[0]!.metrics[0]!.value).toBe('0.25');
    expect(parsed[0]!.metrics[0]!.labels).toEqual({ instance: 'h:9100' });
  });

  it('quotes names that are not valid legacy names', () => {
    const text = formatFederation([
      { labels: Labels.from({ __name__: 'my.metric', 'a.b': 'x' }), sample: point(1) },
    ]);
    expect(text).toBe('# TYPE "my.metric" untyped\n{"my.metric","a.b"="x"} 1 1000\n');
  });
});
