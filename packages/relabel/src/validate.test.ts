// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${1}` here is a Prometheus replacement template, not JS.
import { describe, expect, it } from 'vitest';
import { compileRelabelConfigs } from './compile.js';
import { RelabelConfigError } from './errors.js';
import type { NameValidationScheme } from './label-name.js';
import { DEFAULT_RELABEL_CONFIG, type RelabelAction, type RelabelConfig } from './relabel-config.js';
import { validateRelabelConfig } from './validate.js';

const r = (x: Partial<RelabelConfig>): RelabelConfig => ({ ...DEFAULT_RELABEL_CONFIG, ...x });

const invalid: [string, Partial<RelabelConfig>, string, NameValidationScheme?][] = [
  ['empty action', { action: '' as RelabelAction }, 'relabel action cannot be empty'],
  ['unknown action', { action: 'explode' as RelabelAction }, 'unknown relabel action "explode"'],
  [
    'hashmod without modulus',
    { action: 'hashmod', targetLabel: 'x' },
    'relabel configuration for hashmod requires non-zero modulus',
  ],
  [
    'replace without target',
    { action: 'replace' },
    "relabel configuration for replace action requires 'target_label' value",
  ],
  [
    'lowercase without target',
    { action: 'lowercase' },
    "relabel configuration for lowercase action requires 'target_label' value",
  ],
  [
    'uppercase without target',
    { action: 'uppercase' },
    "relabel configuration for uppercase action requires 'target_label' value",
  ],
  [
    'keepequal without target',
    { action: 'keepequal' },
    "relabel configuration for keepequal action requires 'target_label' value",
  ],
  [
    'dropequal without target',
    { action: 'dropequal' },
    "relabel configuration for dropequal action requires 'target_label' value",
  ],
  [
    'hashmod without target',
    { action: 'hashmod', modulus: 2 },
    "relabel configuration for hashmod action requires 'target_label' value",
  ],
  [
    'legacy: dash in replace target',
    { targetLabel: 'a-b' },
    `"a-b" is invalid 'target_label' for replace action`,
    'legacy',
  ],
  [
    'legacy: bad templated target',
    { targetLabel: '-${1}' },
    `"-\${1}" is invalid 'target_label' for replace action`,
    'legacy',
  ],
  [
    'legacy: templated lowercase target',
    { action: 'lowercase', targetLabel: '${3}' },
    `"\${3}" is invalid 'target_label' for lowercase action`,
    'legacy',
  ],
  [
    'lowercase with replacement',
    { action: 'lowercase', targetLabel: 'x', replacement: 'y' },
    "'replacement' can not be set for lowercase action",
  ],
  [
    'keepequal with replacement',
    { action: 'keepequal', targetLabel: 'x', replacement: 'y' },
    "'replacement' can not be set for keepequal action",
  ],
  [
    'keepequal with regex',
    { action: 'keepequal', targetLabel: 'x', regex: 'a' },
    "keepequal action requires only 'source_labels' and `target_label`, and no other fields",
  ],
  [
    'dropequal with separator',
    { action: 'dropequal', targetLabel: 'x', separator: ',' },
    "dropequal action requires only 'source_labels' and `target_label`, and no other fields",
  ],
  [
    'legacy: labelmap bad replacement',
    { action: 'labelmap', replacement: 'a-$1' },
    `"a-$1" is invalid 'replacement' for labelmap action`,
    'legacy',
  ],
  [
    'utf8: labelmap empty replacement',
    { action: 'labelmap', replacement: '' },
    `"" is invalid 'replacement' for labelmap action`,
  ],
  [
    'legacy: hashmod bad target',
    { action: 'hashmod', modulus: 2, targetLabel: 'a.b' },
    `"a.b" is invalid 'target_label' for hashmod action`,
    'legacy',
  ],
  [
    'labeldrop with source labels',
    { action: 'labeldrop', sourceLabels: ['a'] },
    "labeldrop action requires only 'regex', and no other fields",
  ],
  [
    'labelkeep with target',
    { action: 'labelkeep', targetLabel: 'a' },
    "labelkeep action requires only 'regex', and no other fields",
  ],
  [
    'labelkeep with replacement',
    { action: 'labelkeep', replacement: 'x' },
    "labelkeep action requires only 'regex', and no other fields",
  ],
  ['bad regex', { targetLabel: 'x', regex: 'a(b' }, 'error parsing regexp: missing closing ): `^(?s:a(b)$`'],
  [
    'backreference is not RE2',
    { targetLabel: 'x', regex: '(a)\\1' },
    'error parsing regexp: invalid escape sequence: `\\1`',
  ],
  ['lookahead is not RE2', { targetLabel: 'x', regex: 'a(?=b)' }, 'error parsing regexp'],
];

const valid: [string, Partial<RelabelConfig>, NameValidationScheme?][] = [
  ['default replace with a target', { targetLabel: 'x' }],
  ['utf8: templated lowercase target', { action: 'lowercase', targetLabel: '${3}' }],
  ['utf8: target starting with a digit', { targetLabel: '0${3}', regex: 'some-([^-]+)-([^,]+)' }],
  ['utf8: target starting with a dash', { targetLabel: '-${3}' }],
  ['utf8: dotted target', { targetLabel: 'a.b' }],
  [
    'legacy: labelmap $1',
    { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(strimzi_io_.+)', replacement: '$1' },
    'legacy',
  ],
  ['legacy: labelmap ${1}', { action: 'labelmap', regex: '__meta_(.+)', replacement: '${1}' }, 'legacy'],
  ['keepequal with only source and target', { action: 'keepequal', sourceLabels: ['a'], targetLabel: 'b' }],
  ['labeldrop with only a regex', { action: 'labeldrop', regex: 'tmp_.*' }],
  ['hashmod', { action: 'hashmod', modulus: 8, sourceLabels: ['a'], targetLabel: '__tmp_hash' }],
  ['the injection Prometheus also accepts', { targetLabel: 'x', regex: 'a)|(b' }],
];

describe('validateRelabelConfig', () => {
  it.each(invalid)('%s', (_name, rule, message, scheme) => {
    const got = validateRelabelConfig(r(rule), scheme);
    expect(got).toBeDefined();
    expect(got).toContain(message);
  });

  it.each(valid)('accepts: %s', (_name, rule, scheme) => {
    expect(validateRelabelConfig(r(rule), scheme)).toBeUndefined();
  });

  it.each([
    ['-label', false],
    ['label', true],
    ['label${1}', true],
    ['${1}label', true],
    ['${1}', true],
    ['${', false],
    ['$', false],
    ['${}', false],
    ['foo${', false],
    ['$1', true],
    ['asd$2asd', true],
    ['-foo${1}bar-', false],
    ['bar.foo${1}bar', false],
    ['_${1}_', true],
    ['foo${bar}foo', true],
  ] as const)('legacy templated target %j valid=%s', (target, ok) => {
    expect(validateRelabelConfig(r({ targetLabel: target }), 'legacy') === undefined).toBe(ok);
  });

  it('survives a long near-miss legacy target without exponential backtracking', () => {
    expect(validateRelabelConfig(r({ targetLabel: `${'a$1'.repeat(5000)}-` }), 'legacy')).toContain(
      'invalid',
    );
  });
});

describe('compileRelabelConfigs errors', () => {
  it('throws RelabelConfigError naming the rule and field', () => {
    let err: unknown;
    try {
      compileRelabelConfigs([r({ targetLabel: 'ok' }), r({ targetLabel: 'x', regex: '[z-a]' })]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RelabelConfigError);
    const e = err as RelabelConfigError;
    expect(e.code).toBe('SW_ERR_INVALID_OPTIONS');
    expect(e.path).toBe('[1].regex');
    expect(e.message).toContain('relabel rule 1: invalid regex "[z-a]": error parsing regexp');
  });

  it('reports the missing target of a replace rule', () => {
    expect(() => compileRelabelConfigs([r({})])).toThrowError(
      "relabel rule 0: relabel configuration for replace action requires 'target_label' value",
    );
  });
});
