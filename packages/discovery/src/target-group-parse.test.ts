import { describe, expect, it } from 'vitest';
import { parseTargetGroupsJson, parseTargetGroupsYaml } from './target-group-parse.js';

describe('parseTargetGroupsJson', () => {
  it('should read targets and labels', () => {
    const text = '[{"targets":["a:1","b:2"],"labels":{"env":"prod"}},{"targets":[]},{"Labels":{"x":"y"}}]';
    expect(parseTargetGroupsJson(text, 'f.json')).toEqual([
      { targets: [{ __address__: 'a:1' }, { __address__: 'b:2' }], labels: { env: 'prod' } },
      { targets: [], labels: {} },
      { targets: [], labels: { x: 'y' } },
    ]);
  });

  it('should treat null as an empty list', () => {
    expect(parseTargetGroupsJson('null', 'f.json')).toEqual([]);
    expect(parseTargetGroupsJson('[{"targets":null,"labels":null}]', 'f.json')).toEqual([
      { targets: [], labels: {} },
    ]);
  });

  it.each([
    ['', /f\.json/],
    ['{}', /JSON array/],
    ['[null]', /nil target group item found/],
    ['[{"targets":["a"],"extra":1}]', /unknown field "extra"/],
    ['[{"targets":[1]}]', /targets must be strings/],
    ['[{"targets":"a"}]', /list of strings/],
    ['[{"labels":{"a":1}}]', /label a must be a string/],
    ['[{"labels":{"":"x"}}]', /not a valid label name/],
    ['[1]', /expected an object/],
  ])('should reject %j', (text, message) => {
    expect(() => parseTargetGroupsJson(text, 'f.json')).toThrow(message);
    try {
      parseTargetGroupsJson(text, 'f.json');
    } catch (err) {
      expect((err as { code: string }).code).toBe('SW_ERR_SD_INVALID_TARGET_GROUPS');
    }
  });
});

describe('parseTargetGroupsYaml', () => {
  it('should read targets and labels, keeping scalars as their source text', () => {
    const text = `
- targets: ['a:1', 1234, 0x10]
  labels:
    env: prod
    port: 080
    empty:
- targets: []
`;
    expect(parseTargetGroupsYaml(text, 'f.yml')).toEqual([
      {
        targets: [{ __address__: 'a:1' }, { __address__: '1234' }, { __address__: '0x10' }],
        labels: { env: 'prod', port: '080', empty: '' },
      },
      { targets: [], labels: {} },
    ]);
  });

  it('should treat an empty document as an empty list', () => {
    expect(parseTargetGroupsYaml('', 'f.yml')).toEqual([]);
    expect(parseTargetGroupsYaml('# nothing\n', 'f.yml')).toEqual([]);
  });

  it.each([
    ['- targets: [a]\n  extra: 1\n', /field extra not found/],
    ['- targets: [a]\n  targets: [b]\n', /f\.yml/],
    ['- null\n', /nil target group item found/],
    ['a: b\n', /YAML list/],
    ['- targets: a\n', /list of strings/],
    ['- labels: [a]\n', /must be a mapping/],
    ['- targets: [[a]]\n', /a target must be a string/],
    ['- [', /f\.yml/],
  ])('should reject %j', (text, message) => {
    expect(() => parseTargetGroupsYaml(text, 'f.yml')).toThrow(message);
  });
});
