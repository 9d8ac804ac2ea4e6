// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${1}` here is a Prometheus replacement template, not JS.
import { Labels } from '@scrapewire/model';
import { describe, expect, it } from 'vitest';
import { compileRelabelConfigs } from './compile.js';
import { relabel } from './relabel.js';
import { DEFAULT_RELABEL_CONFIG, type RelabelConfig } from './relabel-config.js';

/** A rule with Prometheus's defaults for everything not given. */
function rule(r: Partial<RelabelConfig>): RelabelConfig {
  return { ...DEFAULT_RELABEL_CONFIG, ...r };
}

interface Case {
  name: string;
  input: Record<string, string>;
  rules: Partial<RelabelConfig>[];
  /** Expected output; `'drop'` when the label set must be dropped. */
  output: Record<string, string> | 'drop';
}

// Behaviours of Prometheus's model/relabel tests, re-expressed as data, plus scrapewire's own edge cases.
const cases: Case[] = [
  {
    name: 'replace with a braced group reference used twice',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    rules: [{ sourceLabels: ['a'], regex: 'f(.*)', targetLabel: 'd', replacement: 'ch${1}-ch${1}' }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: 'choo-choo' },
  },
  {
    name: 'chained replaces see earlier results; multiple source labels joined by the separator',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    rules: [
      { sourceLabels: ['a', 'b'], regex: 'f(.*);(.*)r', targetLabel: 'a', replacement: 'b${1}${2}m' },
      { sourceLabels: ['c', 'a'], regex: '(b).*b(.*)ba(.*)', targetLabel: 'd', replacement: '$1$2$2$3' },
    ],
    output: { a: 'boobam', b: 'bar', c: 'baz', d: 'boooom' },
  },
  {
    name: 'drop stops processing',
    input: { a: 'foo' },
    rules: [
      { sourceLabels: ['a'], regex: '.*o.*', action: 'drop' },
      { sourceLabels: ['a'], regex: 'f(.*)', targetLabel: 'd', replacement: 'x' },
    ],
    output: 'drop',
  },
  {
    name: 'regex is anchored: a partial match is no match',
    input: { a: 'abc' },
    rules: [{ sourceLabels: ['a'], regex: 'b', action: 'drop' }],
    output: { a: 'abc' },
  },
  {
    name: 'an alternation is anchored as a whole',
    input: { a: 'foo' },
    rules: [{ sourceLabels: ['a'], regex: 'f|o', action: 'drop' }],
    output: { a: 'foo' },
  },
  {
    name: 'group inside a larger match',
    input: { a: 'abc' },
    rules: [{ sourceLabels: ['a'], regex: '.*(b).*', targetLabel: 'd' }],
    output: { a: 'abc', d: 'b' },
  },
  {
    name: 'keep without match drops',
    input: { a: 'foo' },
    rules: [{ sourceLabels: ['a'], regex: 'no-match', action: 'keep' }],
    output: 'drop',
  },
  {
    name: 'keep with match keeps',
    input: { a: 'foo' },
    rules: [{ sourceLabels: ['a'], regex: 'f.*', action: 'keep' }],
    output: { a: 'foo' },
  },
  {
    name: 'keep on a missing label matches the empty string',
    input: { a: 'foo' },
    rules: [{ sourceLabels: ['missing'], regex: '', action: 'keep' }],
    output: { a: 'foo' },
  },
  {
    name: 'replace without a match changes nothing',
    input: { a: 'boo' },
    rules: [{ sourceLabels: ['a'], regex: 'f', targetLabel: 'b', replacement: 'bar' }],
    output: { a: 'boo' },
  },
  {
    name: 'an empty expansion deletes the target label',
    input: { a: 'foo', f: 'baz' },
    rules: [{ sourceLabels: ['a'], regex: '(f).*', targetLabel: '$1', replacement: '$2' }],
    output: { a: 'foo' },
  },
  {
    name: 'hashmod (Prometheus vector baz/1000)',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    rules: [{ sourceLabels: ['c'], targetLabel: 'd', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: '976' },
  },
  {
    name: 'hashmod over a newline (Prometheus vector foo\\nbar/1000)',
    input: { a: 'foo\nbar' },
    rules: [{ sourceLabels: ['a'], targetLabel: 'b', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo\nbar', b: '734' },
  },
  {
    name: 'labelmap copies matching names',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    rules: [{ regex: '(b.*)', replacement: 'bar_${1}', action: 'labelmap' }],
    output: { a: 'foo', b1: 'bar', b2: 'baz', bar_b1: 'bar', bar_b2: 'baz' },
  },
  {
    name: 'labelmap strips a meta prefix',
    input: { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc' },
    rules: [{ regex: '__meta_(my.*)', replacement: '${1}', action: 'labelmap' }],
    output: {
      a: 'foo',
      __meta_my_bar: 'aaa',
      __meta_my_baz: 'bbb',
      __meta_other: 'ccc',
      my_bar: 'aaa',
      my_baz: 'bbb',
    },
  },
  {
    name: 'labelmap with the Kubernetes pod label prefix fast path',
    input: { __meta_kubernetes_pod_label_app: 'web', __meta_kubernetes_pod_label_: 'x' },
    rules: [{ regex: '__meta_kubernetes_pod_label_(.+)', action: 'labelmap' }],
    output: { __meta_kubernetes_pod_label_app: 'web', __meta_kubernetes_pod_label_: 'x', app: 'web' },
  },
  {
    name: 'labelmap iterates a snapshot: its own writes are not mapped again',
    input: { a_a_x: '1' },
    rules: [{ regex: 'a_(.*)', action: 'labelmap' }],
    output: { a_a_x: '1', a_x: '1' },
  },
  {
    name: 'templated target label and replacement',
    input: { a: 'some-name-value' },
    rules: [{ sourceLabels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${2}', targetLabel: '${1}' }],
    output: { a: 'some-name-value', name: 'value' },
  },
  {
    name: 'a missing group in the replacement expands to nothing: no change',
    input: { a: 'some-name-value' },
    rules: [{ sourceLabels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${3}', targetLabel: '${1}' }],
    output: { a: 'some-name-value' },
  },
  {
    name: 'a target expanding to an empty name is a no-op (3.x)',
    input: { a: 'some-name-0' },
    rules: [
      { sourceLabels: ['a'], regex: 'some-([^-]+)-([^,]+)', replacement: '${1}', targetLabel: '${3}' },
      { sourceLabels: ['a'], regex: 'some-([^-]+)(-[^,]+)', replacement: '${1}', targetLabel: '${3}' },
    ],
    output: { a: 'some-name-0' },
  },
  {
    name: 'templated target with an empty result deletes the expanded name (3.x; 2.42 deleted the literal)',
    input: { a: 'foo', foo: 'x' },
    rules: [{ sourceLabels: ['a'], regex: '(.*)', targetLabel: '${1}', replacement: '$2' }],
    output: { a: 'foo' },
  },
  {
    name: 'real-life tag parsing into path, job and a dynamic label',
    input: { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar' },
    rules: [
      {
        sourceLabels: ['__meta_sd_tags'],
        regex: '(?:.+,|^)path:(/[^,]+).*',
        replacement: '${1}',
        targetLabel: '__metrics_path__',
      },
      {
        sourceLabels: ['__meta_sd_tags'],
        regex: '(?:.+,|^)job:([^,]+).*',
        replacement: '${1}',
        targetLabel: 'job',
      },
      {
        sourceLabels: ['__meta_sd_tags'],
        regex: '(?:.+,|^)label:([^=]+)=([^,]+).*',
        replacement: '${2}',
        targetLabel: '${1}',
      },
    ],
    output: {
      __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar',
      __metrics_path__: '/secret',
      job: 'some-job',
      foo: 'bar',
    },
  },
  {
    name: 'labeldrop then re-add then keep (prometheus#12283)',
    input: {
      __meta_kubernetes_pod_container_port_name: 'foo',
      __meta_kubernetes_pod_annotation_x_port: '9091',
    },
    rules: [
      { regex: '^__meta_kubernetes_pod_container_port_name$', action: 'labeldrop' },
      {
        sourceLabels: ['__meta_kubernetes_pod_annotation_x_port'],
        regex: '(.+)',
        replacement: 'metrics',
        targetLabel: '__meta_kubernetes_pod_container_port_name',
      },
      { sourceLabels: ['__meta_kubernetes_pod_container_port_name'], regex: '^metrics$', action: 'keep' },
    ],
    output: {
      __meta_kubernetes_pod_annotation_x_port: '9091',
      __meta_kubernetes_pod_container_port_name: 'metrics',
    },
  },
  {
    name: 'labelkeep',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    rules: [{ regex: '(b.*)', action: 'labelkeep' }],
    output: { b1: 'bar', b2: 'baz' },
  },
  {
    name: 'labeldrop',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    rules: [{ regex: '(b.*)', action: 'labeldrop' }],
    output: { a: 'foo' },
  },
  {
    name: 'uppercase and lowercase',
    input: { foo: 'bAr123Foo' },
    rules: [
      { sourceLabels: ['foo'], action: 'uppercase', targetLabel: 'foo_uppercase' },
      { sourceLabels: ['foo'], action: 'lowercase', targetLabel: 'foo_lowercase' },
    ],
    output: { foo: 'bAr123Foo', foo_lowercase: 'bar123foo', foo_uppercase: 'BAR123FOO' },
  },
  {
    name: 'case mapping is per code point like Go (no ß → SS, İ → i)',
    input: { v: 'Straße İx ΣΑΣ ᾳ' },
    rules: [
      { sourceLabels: ['v'], action: 'uppercase', targetLabel: 'up' },
      { sourceLabels: ['v'], action: 'lowercase', targetLabel: 'low' },
    ],
    output: { v: 'Straße İx ΣΑΣ ᾳ', up: 'STRAßE İX ΣΑΣ ᾼ', low: 'straße ix σασ ᾳ' },
  },
  {
    name: 'keepequal keeps when equal',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ sourceLabels: ['__tmp_port'], action: 'keepequal', targetLabel: '__port1' }],
    output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
  },
  {
    name: 'dropequal drops when equal',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ sourceLabels: ['__tmp_port'], action: 'dropequal', targetLabel: '__port1' }],
    output: 'drop',
  },
  {
    name: 'dropequal keeps when different',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ sourceLabels: ['__tmp_port'], action: 'dropequal', targetLabel: '__port2' }],
    output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
  },
  {
    name: 'keepequal drops when different',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    rules: [{ sourceLabels: ['__tmp_port'], action: 'keepequal', targetLabel: '__port2' }],
    output: 'drop',
  },
  {
    name: 'keepequal on two missing labels keeps ("" == "")',
    input: { a: '1' },
    rules: [{ sourceLabels: ['x'], action: 'keepequal', targetLabel: 'y' }],
    output: { a: '1' },
  },
  {
    name: '. matches a newline in 3.x ((?s) anchoring)',
    input: { a: 'line1\nline2' },
    rules: [{ sourceLabels: ['a'], regex: 'line1.*line2', targetLabel: 'd', replacement: 'match${1}' }],
    output: { a: 'line1\nline2', d: 'match' },
  },
  {
    name: 'UTF-8 source and target label names',
    input: { 'utf-8.label': 'v' },
    rules: [{ sourceLabels: ['utf-8.label'], targetLabel: 'ünï.côdé', replacement: 'x$1' }],
    output: { 'utf-8.label': 'v', 'ünï.côdé': 'xv' },
  },
  {
    name: 'UTF-8 target with a reference',
    input: { a: 'v' },
    rules: [{ sourceLabels: ['a'], regex: '(v)', targetLabel: 'utf-8.label${1}', replacement: 'match' }],
    output: { a: 'v', 'utf-8.labelv': 'match' },
  },
  {
    name: 'named groups with ${name}, $name, (?P<>) and (?<>)',
    input: { a: 'line1\nline2' },
    rules: [
      {
        sourceLabels: ['a'],
        regex: '(line1).*(?<second>line2)',
        targetLabel: 'label1_${1}',
        replacement: 'val_${second}',
      },
      {
        sourceLabels: ['a'],
        regex: '(line1).*(?P<second>line2)',
        targetLabel: 'label2_$1',
        replacement: 'val_$second',
      },
    ],
    output: { a: 'line1\nline2', label1_line1: 'val_line2', label2_line1: 'val_line2' },
  },
  {
    name: 'the $1x pitfall: $1x names group "1x", which is empty',
    input: { a: 'foo' },
    rules: [
      { sourceLabels: ['a'], targetLabel: 'p', replacement: '$1x-${1}x' },
      { sourceLabels: ['a'], targetLabel: 'q', replacement: '$1_suffix' },
    ],
    output: { a: 'foo', p: '-foox' },
  },
  {
    name: '$$ is a literal dollar; a malformed reference stays literal',
    input: { a: 'foo' },
    rules: [
      { sourceLabels: ['a'], targetLabel: 'p', replacement: '$$1=$1 ${ $ ${1' },
      { sourceLabels: ['a'], targetLabel: 'r', replacement: 'cost$' },
    ],
    output: { a: 'foo', p: '$1=foo ${ $ ${1', r: 'cost$' },
  },
  {
    name: 'a leading zero is not a group number',
    input: { a: 'foo' },
    rules: [{ sourceLabels: ['a'], targetLabel: 'p', replacement: '[$01][${01}][$0]' }],
    output: { a: 'foo', p: '[][][foo]' },
  },
  {
    name: 'replace fast path: empty value, default regex, literal target and replacement',
    input: { a: '1' },
    rules: [{ targetLabel: 'cluster', replacement: 'dev' }],
    output: { a: '1', cluster: 'dev' },
  },
  {
    name: 'default replace copies a label; an empty source deletes the target',
    input: { a: '1', b: '2' },
    rules: [
      { sourceLabels: ['a'], targetLabel: 'c' },
      { sourceLabels: ['missing'], targetLabel: 'b' },
    ],
    output: { a: '1', c: '1' },
  },
  {
    name: 'metric relabeling can set __type__-style labels',
    input: { __name__: 'http_requests_total' },
    rules: [
      { sourceLabels: ['__name__'], regex: '.*_total$', targetLabel: '__type__', replacement: 'counter' },
    ],
    output: { __name__: 'http_requests_total', __type__: 'counter' },
  },
  {
    name: 'an explicit empty separator',
    input: { a: 'x', b: 'y' },
    rules: [{ sourceLabels: ['a', 'b'], separator: '', targetLabel: 'ab' }],
    output: { a: 'x', b: 'y', ab: 'xy' },
  },
  {
    name: 'an empty regex matches only the empty value',
    input: { a: 'x' },
    rules: [
      { sourceLabels: ['a'], regex: '', action: 'drop' },
      { sourceLabels: ['b'], regex: '', targetLabel: 'c', replacement: 'empty' },
    ],
    output: { a: 'x', c: 'empty' },
  },
  {
    name: 'literal alternation fast path',
    input: { phase: 'Failed' },
    rules: [{ sourceLabels: ['phase'], regex: 'Succeeded|Failed', action: 'drop' }],
    output: 'drop',
  },
  {
    name: 'escaped punctuation is literal',
    input: { a: 'a.b', b: 'axb' },
    rules: [
      { sourceLabels: ['a'], regex: 'a\\.b', targetLabel: 'm1', replacement: 'yes' },
      { sourceLabels: ['b'], regex: 'a\\.b', targetLabel: 'm2', replacement: 'yes' },
    ],
    output: { a: 'a.b', b: 'axb', m1: 'yes' },
  },
  {
    name: 'address rewrite from an annotation port',
    input: { __address__: '10.0.0.1:8080', port: '9102' },
    rules: [
      {
        sourceLabels: ['__address__', 'port'],
        regex: '(.+?)(?::\\d+)?;(\\d+)',
        replacement: '$1:$2',
        targetLabel: '__address__',
      },
    ],
    output: { __address__: '10.0.0.1:9102', port: '9102' },
  },
  {
    name: 'sharding: hashmod then keep',
    input: { __address__: '10.0.0.1:9100' },
    rules: [
      { sourceLabels: ['__address__'], action: 'hashmod', modulus: 3, targetLabel: '__tmp_hash' },
      { sourceLabels: ['__tmp_hash'], regex: '2', action: 'keep' },
    ],
    output: { __address__: '10.0.0.1:9100', __tmp_hash: '2' },
  },
];

describe('relabel', () => {
  it.each(cases)('$name', ({ input, rules, output }) => {
    const compiled = compileRelabelConfigs(rules.map(rule));
    const got = relabel(Labels.from(input), compiled);
    if (output === 'drop') expect(got).toBeUndefined();
    else expect(got?.toObject()).toEqual(output);
  });

  it('returns the same label set when no rule changed anything', () => {
    const input = Labels.from({ a: '1' });
    const compiled = compileRelabelConfigs([rule({ sourceLabels: ['a'], regex: '2', action: 'drop' })]);
    expect(relabel(input, compiled)).toBe(input);
  });

  it('does not modify its input', () => {
    const input = Labels.from({ a: '1' });
    relabel(input, compileRelabelConfigs([rule({ targetLabel: 'b', replacement: 'x' })]));
    expect(input.toObject()).toEqual({ a: '1' });
  });

  it('validates a templated target at run time under the legacy scheme', () => {
    const compiled = compileRelabelConfigs(
      [rule({ sourceLabels: ['a'], regex: '(.*)', targetLabel: 'x_$1', replacement: 'v' })],
      { nameValidationScheme: 'legacy' },
    );
    expect(relabel(Labels.from({ a: 'ok' }), compiled)?.get('x_ok')).toBe('v');
    // "x_a-b" is not a legacy label name, so the rule does nothing.
    expect(relabel(Labels.from({ a: 'a-b' }), compiled)?.toObject()).toEqual({ a: 'a-b' });
    const utf8 = compileRelabelConfigs([
      rule({ sourceLabels: ['a'], regex: '(.*)', targetLabel: 'x_$1', replacement: 'v' }),
    ]);
    expect(relabel(Labels.from({ a: 'a-b' }), utf8)?.get('x_a-b')).toBe('v');
  });

  it('finishes catastrophic-backtracking patterns on 100k-character values (RE2 is linear)', () => {
    // A backtracking engine needs ~2^100000 steps for these; RE2 needs one pass.
    const long = 'a'.repeat(100_000);
    const compiled = compileRelabelConfigs([
      rule({ sourceLabels: ['v'], regex: '(a+)+$', targetLabel: 'nested', replacement: 'hit' }),
      rule({ sourceLabels: ['w'], regex: '(a|aa)*b', targetLabel: 'alt', replacement: 'hit' }),
      rule({ sourceLabels: ['w'], regex: '(.*a){20}', action: 'drop' }),
    ]);
    const out = relabel(Labels.from({ v: `${long}!`, w: long }), compiled);
    // (.*a){20} matches a string of a's, so the set is dropped — after the first two rules ran.
    expect(out).toBeUndefined();
    const out2 = relabel(
      Labels.from({ v: long, w: `${long}c` }),
      compileRelabelConfigs([
        rule({ sourceLabels: ['v'], regex: '(a+)+$', targetLabel: 'nested', replacement: 'hit' }),
        rule({ sourceLabels: ['w'], regex: '(a|aa)*b', targetLabel: 'alt', replacement: 'hit' }),
      ]),
    );
    expect(out2?.get('nested')).toBe('hit');
    expect(out2?.has('alt')).toBe(false);
  });
});
