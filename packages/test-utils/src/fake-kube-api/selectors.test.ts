import { describe, expect, it } from 'vitest';
import { parseFieldSelector, parseLabelSelector, SelectorParseError } from './selectors.js';

const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  metadata: { name: 'n', namespace: 'ns', labels },
  ...extra,
});

describe('label selectors', () => {
  it.each([
    ['', {}, true],
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    ['env in (prod, staging)', { env: 'staging' }, true],
    ['env notin (prod)', {}, true],
    ['app=web,env in (prod)', { app: 'web', env: 'dev' }, false],
  ])('%s on %j → %s', (sel, labels, want) => {
    expect(parseLabelSelector(sel)(obj(labels))).toBe(want);
  });

  it('rejects garbage', () => {
    expect(() => parseLabelSelector('a b c')).toThrow(SelectorParseError);
  });
});

describe('field selectors', () => {
  it('compares dotted fields as strings, missing fields as ""', () => {
    const pod = obj({}, { spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
    expect(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed')(pod)).toBe(true);
    expect(parseFieldSelector('metadata.namespace=other')(pod)).toBe(false);
    expect(parseFieldSelector('spec.hostname=')(pod)).toBe(true);
    expect(() => parseFieldSelector('a in (b)')).toThrow(SelectorParseError);
  });
});
