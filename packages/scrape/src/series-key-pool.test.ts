import { describe, expect, it } from 'vitest';
import { EntryKind } from './textparse/parser.js';
import { PromTextParser } from './textparse/prom-parser.js';
import { pooledSeriesKey } from './series-key-pool.js';

/** The pooled keys of every series in `body`. */
function keys(body: string): string[] {
  const p = new PromTextParser(Buffer.from(body, 'utf8'));
  const out: string[] = [];
  for (let k = p.next(); k !== EntryKind.End; k = p.next())
    if (k === EntryKind.Series) out.push(pooledSeriesKey(p));
  return out;
}

describe('pooledSeriesKey', () => {
  it('gives the raw series text read as latin1, the same for every body that repeats it', () => {
    const body = 'a{x="1"} 1\nb{y="ü"} 2\nlong_metric_name_total{label="value"} 3\n';
    const expected = [
      'a{x="1"}',
      Buffer.from('b{y="ü"}', 'utf8').toString('latin1'),
      'long_metric_name_total{label="value"}',
    ];
    expect(keys(body)).toEqual(expected);
    expect(keys(body.replace(' 1\n', ' 9\n'))).toEqual(expected);
  });

  it('stays correct past its bound, when it starts over', () => {
    const many = Array.from({ length: 70_000 }, (_, i) => `m{i="${i}"} 1`).join('\n');
    const got = keys(`${many}\n`);
    expect(got).toHaveLength(70_000);
    expect(got[69_999]).toBe('m{i="69999"}');
    expect(keys('m{i="5"} 1\n')).toEqual(['m{i="5"}']);
  });
});
