import { Labels } from '@scrapewire/model';
import { describe, expect, it } from 'vitest';
import { ParseError } from './parse-error.js';
import { EntryKind, type ExpositionParser } from './parser.js';
import { createTextParser } from './prom-parser.js';

type Entry =
  | { help: string; text: string }
  | { type: string; is: string }
  | { comment: string }
  | { series: string; labels: Record<string, string>; value: number; ts?: number };

/** Drains a parser into plain entries, like Prometheus's `testParse` helper. */
function entries(p: ExpositionParser): Entry[] {
  const out: Entry[] = [];
  for (let k = p.next(); k !== EntryKind.End; k = p.next()) {
    switch (k) {
      case EntryKind.Help: {
        const h = p.help();
        out.push({ help: h.metricName, text: h.text });
        break;
      }
      case EntryKind.Type: {
        const t = p.type();
        out.push({ type: t.metricName, is: t.type });
        break;
      }
      case EntryKind.Comment:
        out.push({ comment: p.comment() });
        break;
      case EntryKind.Series: {
        const e: Entry = { series: p.seriesKey(), labels: p.labels().toObject(), value: p.value() };
        const ts = p.timestampMs();
        if (ts !== undefined) e.ts = ts;
        out.push(e);
        break;
      }
    }
  }
  return out;
}

const parse = (s: string) => entries(createTextParser(Buffer.from(s, 'utf8')));

function parseError(s: string): ParseError {
  try {
    parse(s);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(s)}`);
}

describe('Prometheus text parser', () => {
  it('parses HELP, TYPE, comments and series with labels and timestamps', () => {
    const input = [
      '# HELP go_gc_duration_seconds A summary of the GC invocation durations.',
      '# \tTYPE go_gc_duration_seconds summary',
      'go_gc_duration_seconds{quantile="0"} 4.9351e-05',
      'go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05',
      'go_gc_duration_seconds{ quantile = "1" , a="b"} 8.3835e-05 1234',
      '# Hash comment',
      'go_gc_duration_seconds_count 99',
      '  some:aggregate:rate5m{a_b="c"}\t1',
      'nohelp1 1',
      '',
      '  ',
      'x{a="1" b="2"} 3',
    ].join('\n');
    expect(parse(input)).toEqual([
      { help: 'go_gc_duration_seconds', text: 'A summary of the GC invocation durations.' },
      { type: 'go_gc_duration_seconds', is: 'summary' },
      {
        series: 'go_gc_duration_seconds{quantile="0"}',
        labels: { __name__: 'go_gc_duration_seconds', quantile: '0.0' },
        value: 4.9351e-5,
      },
      {
        series: 'go_gc_duration_seconds{quantile="0.25",}',
        labels: { __name__: 'go_gc_duration_seconds', quantile: '0.25' },
        value: 7.424100000000001e-5,
      },
      {
        series: 'go_gc_duration_seconds{ quantile = "1" , a="b"}',
        labels: { __name__: 'go_gc_duration_seconds', a: 'b', quantile: '1.0' },
        value: 8.3835e-5,
        ts: 1234,
      },
      { comment: 'Hash comment' },
      {
        series: 'go_gc_duration_seconds_count',
        labels: { __name__: 'go_gc_duration_seconds_count' },
        value: 99,
      },
      {
        series: 'some:aggregate:rate5m{a_b="c"}',
        labels: { __name__: 'some:aggregate:rate5m', a_b: 'c' },
        value: 1,
      },
      { series: 'nohelp1', labels: { __name__: 'nohelp1' }, value: 1 },
      // No comma between pairs and no final newline: Prometheus's lexer accepts both.
      { series: 'x{a="1" b="2"}', labels: { __name__: 'x', a: '1', b: '2' }, value: 3 },
    ]);
  });

  it('unescapes label values (\\\\, \\", \\n) and HELP text (\\\\, \\n only)', () => {
    const out = parse('# HELP m a\\\\b\\nc\\"d\\x\nm{a="x\\\\y\\"z\\nw\\q"} 1\n');
    expect(out[0]).toEqual({ help: 'm', text: 'a\\b\nc\\"d\\x' });
    expect((out[1] as { labels: Record<string, string> }).labels.a).toBe('x\\y"z\nw\\q');
  });

  it('reads every float form Go accepts and rejects hex floats and underscores', () => {
    const values = (s: string) => parse(s).map((e) => (e as { value: number }).value);
    expect(
      values(
        [
          'a 1',
          'a -1.5',
          'a +2',
          'a .5',
          'a 5.',
          'a 1e3',
          'a 1E-3',
          'a NaN',
          'a nan',
          'a +Inf',
          'a -Inf',
          'a inf',
          'a Infinity',
          'a -infinity',
          'a 0000000001.25',
          'a 1e-400',
          'a 123456789012345678901234567890',
        ].join('\n'),
      ),
    ).toEqual([
      1,
      -1.5,
      2,
      0.5,
      5,
      1000,
      0.001,
      Number.NaN,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1.25,
      0,
      1.2345678901234568e29,
    ]);
    for (const bad of ['0x1p-3', '0x10', '1_000', '+NaN', '1e', '.', 'e5', '1e400', 'Inff', '--1', '1.2.3']) {
      expect(parseError(`a ${bad}\n`).reason, bad).toMatch(/strconv\.ParseFloat/);
    }
  });

  it('reads quoted UTF-8 metric and label names (text format 1.0.0)', () => {
    expect(parse('{"my.metric", "label.name"="v"} 1\n# HELP "my.metric" help me\n')).toEqual([
      {
        series: '{"my.metric", "label.name"="v"}',
        labels: { __name__: 'my.metric', 'label.name': 'v' },
        value: 1,
      },
      { help: 'my.metric', text: 'help me' },
    ]);
  });

  it('drops empty label values and keeps whitespace-free series keys byte-exact', () => {
    const [e] = parse('m{a="",b="1"} 1\n');
    expect(e).toEqual({ series: 'm{a="",b="1"}', labels: { __name__: 'm', b: '1' }, value: 1 });
  });

  it('normalises le of histograms, not of other types', () => {
    const out = parse(
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\n# TYPE g gauge\ng{le="1"} 1\n',
    );
    expect(out.map((e) => ('labels' in e ? e.labels.le : undefined))).toEqual([
      undefined,
      '1.0',
      '+Inf',
      undefined,
      '1',
    ]);
  });

  it('accepts repeated and misplaced metadata, as the Prometheus scraper does', () => {
    expect(() => parse('# TYPE a gauge\n# TYPE a counter\na 1\n# HELP a x\n# HELP a y\n')).not.toThrow();
  });

  it('builds labels only when asked and reports timestamps as int64 milliseconds', () => {
    const p = createTextParser(Buffer.from('a{b="c"} 1 1700000000000\n'));
    expect(p.next()).toBe(EntryKind.Series);
    expect(p.metricName()).toBe('a');
    expect(Buffer.from(p.seriesBytes()).toString()).toBe('a{b="c"}');
    expect(p.timestampMs()).toBe(1_700_000_000_000);
    expect(p.labels().equals(Labels.from({ __name__: 'a', b: 'c' }))).toBe(true);
    expect(p.exemplar()).toBeUndefined();
    expect(p.next()).toBe(EntryKind.End);
    expect(p.next()).toBe(EntryKind.End);
  });

  it.each([
    ['a{b="c" 1\n', 1, 9, /expected label name/],
    ['a{b} 1\n', 1, 4, /expected equal/],
    ['a{b=c} 1\n', 1, 5, /expected label value/],
    ['a{b="c"}\n', 1, 9, /expected value after metric/],
    ['a\n', 1, 2, /expected value after metric/],
    ['a 1 2 3\n', 1, 7, /expected next entry after timestamp/],
    ['a 1 -5\n', 1, 5, /expected timestamp or new record/],
    ['a 1 1.5\n', 1, 6, /expected next entry after timestamp/],
    ['a 1 99999999999999999999\n', 1, 5, /value out of range/],
    ['ok 1\n=a 1\n', 2, 1, /expected a valid start token/],
    ['{} 1\n', 1, 1, /metric name not set/],
    ['{"a","b"} 1\n', 1, 6, /metric name already set/],
    ['a{"b"} 1\n', 1, 3, /metric name already set/],
    ['# TYPE a gauges\n', 1, 10, /invalid metric type "gauges"/],
    ['# TYPE a gauge \n', 1, 10, /invalid metric type/],
    ['# TYPE 1a gauge\n', 1, 8, /expected metric name after TYPE/],
    ['a{b="\\\n"} 1\n', 1, 6, /invalid escape/],
    ['a{b="c', 1, 5, /unterminated label value/],
    ['a{b="c",,} 1\n', 1, 9, /expected label name/],
    ['a{b="c"} 1 2 # {x="y"} 1\n', 1, 14, /expected next entry after timestamp/],
  ])('rejects %j at line %i, column %i', (input, line, column, reason) => {
    const err = parseError(input);
    expect(err.code).toBe('SW_ERR_PARSE');
    expect(err.reason).toMatch(reason);
    expect([err.line, err.column]).toEqual([line, column]);
  });

  it('rejects label values that are not UTF-8 and repeated label names', () => {
    const body = Buffer.concat([Buffer.from('a{b="'), Buffer.from([0xc3, 0x28]), Buffer.from('"} 1\n')]);
    expect(() => entries(createTextParser(body))).toThrow(/invalid UTF-8/);
    const help = Buffer.concat([Buffer.from('# HELP a '), Buffer.from([0xff]), Buffer.from('\n')]);
    expect(() => entries(createTextParser(help))).toThrow(/help text is not valid UTF-8/);
    expect(() => parse('a{b="1",b="2"} 1\n')).toThrow(/duplicate label name "b"/);
    expect(() => parse('a{__name__="x"} 1\n')).toThrow(/duplicate label name "__name__"/);
  });

  it('reports where each entry starts for line-aware tools', () => {
    const body = '# HELP a x\n\n  a 1\n# c\n';
    const p = createTextParser(Buffer.from(body));
    const starts: number[] = [];
    for (let k = p.next(); k !== EntryKind.End; k = p.next()) starts.push(p.entryOffset!());
    expect(starts).toEqual([0, 14, 18]);
  });

  it('counts lines across multi-line label values for error positions', () => {
    const err = parseError('a{b="x\ny"} 1\nbad line\n');
    expect([err.line, err.column]).toEqual([3, 5]);
  });
});
