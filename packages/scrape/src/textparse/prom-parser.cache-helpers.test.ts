import { describe, expect, it } from 'vitest';
import { EntryKind } from './parser.js';
import { PromTextParser } from './prom-parser.js';

/** Every entry's kind with what the cache helpers say about it. */
function walk(body: string, fastPath = true) {
  const p = new PromTextParser(Buffer.from(body, 'utf8'), { fastPath });
  const out: unknown[] = [];
  for (let k = p.next(); k !== EntryKind.End; k = p.next()) {
    if (k === EntryKind.Series) {
      out.push({ key: p.seriesKey() });
    } else {
      const line = p.metadataLine();
      out.push({
        line,
        is: line !== undefined && p.metadataLineIs(line),
        isOther: p.metadataLineIs('# TYPE m gauge'),
      });
    }
  }
  return out;
}

describe('PromTextParser cache helpers', () => {
  it('compare metadata lines without decoding them', () => {
    const body = '# HELP m Some help, ünïcode.\n# TYPE m counter\nm{a="b"} 1\nm{a="x"} 2\n';
    expect(walk(body)).toEqual([
      { line: Buffer.from('# HELP m Some help, ünïcode.').toString('latin1'), is: true, isOther: false },
      { line: '# TYPE m counter', is: true, isOther: false },
      { key: 'm{a="b"}' },
      { key: 'm{a="x"}' },
    ]);
  });

  it('give no metadata line for lines the general code parses, so nothing is matched by mistake', () => {
    const body = '# HELP  m spaced\n#  TYPE m gauge\n# TYPE m gauge\n';
    const got = walk(body).map((e) => (e as { line?: string }).line);
    expect(got).toEqual([undefined, undefined, '# TYPE m gauge']);
    expect(walk('# TYPE m gauge\n', false)).toEqual([{ line: undefined, is: false, isOther: false }]);
  });

  it('tell apart lines that differ only in length or in their last byte', () => {
    const p = new PromTextParser(Buffer.from('# TYPE m gauge\n'));
    p.next();
    expect([
      p.metadataLineIs('# TYPE m gaug'),
      p.metadataLineIs('# TYPE m gauges'),
      p.metadataLineIs('# TYPE m gaugf'),
    ]).toEqual([false, false, false]);
    expect(p.metadataLineIs('# TYPE m gauge')).toBe(true);
  });
});
