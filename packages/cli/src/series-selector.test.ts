import { describe, expect, it } from 'vitest';
import { parseSeriesSelector, SeriesSelectorError } from './series-selector.js';

describe('parseSeriesSelector', () => {
  it.each([
    ['up', [{ name: '__name__', type: '=', value: 'up' }]],
    ['{job="node"}', [{ name: 'job', type: '=', value: 'node' }]],
    [
      'http_requests_total{ code =~ "5..", method!=\'GET\' , path!~`/a\\b`}',
      [
        { name: '__name__', type: '=', value: 'http_requests_total' },
        { name: 'code', type: '=~', value: '5..' },
        { name: 'method', type: '!=', value: 'GET' },
        { name: 'path', type: '!~', value: '/a\\b' },
      ],
    ],
    [
      '{"my.metric", "odd label"="x\\n\\u00e9"}',
      [
        { name: '__name__', type: '=', value: 'my.metric' },
        { name: 'odd label', type: '=', value: 'x\né' },
      ],
    ],
    ['up{}', [{ name: '__name__', type: '=', value: 'up' }]],
  ])('parses %s', (input, expected) => {
    expect(parseSeriesSelector(input)).toEqual(expected);
  });

  it.each([
    ['', 'at least one'],
    ['{}', 'at least one'],
    ['{job=~".*"}', 'non-empty matcher'],
    ['up{job="a"', 'unexpected end'],
    ['up{job="a}', 'unterminated'],
    ['up{job~"a"}', 'operator'],
    ['up job', 'unexpected characters'],
    ['{job="\\q"}', 'unknown escape'],
  ])('rejects %s', (input, message) => {
    expect(() => parseSeriesSelector(input)).toThrow(SeriesSelectorError);
    expect(() => parseSeriesSelector(input)).toThrow(message);
  });
});
