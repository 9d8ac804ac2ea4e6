// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${1}` here is a Go template reference, not JS.
import { describe, expect, it } from 'vitest';
import { compileTemplate, expandTemplate } from './expand.js';

// src "foo-bar": group 1 = "foo", group 2 ("name") = "bar", group 3 did not take part.
const src = 'foo-bar';
const idx = [0, 7, 0, 3, 4, 7, -1, -1];
const names = { name: 2, unused: 3 };

describe('expandTemplate (Go Regexp.Expand semantics)', () => {
  it.each([
    ['$1', 'foo'],
    ['${1}', 'foo'],
    ['$2$1', 'barfoo'],
    ['$name', 'bar'],
    ['${name}', 'bar'],
    ['$0', 'foo-bar'],
    ['$1x', ''],
    ['${1}x', 'foox'],
    ['$1_$2', 'bar'],
    ['$$', '$'],
    ['$$1', '$1'],
    ['$', '$'],
    ['a$', 'a$'],
    ['${', '${'],
    ['${1', '${1'],
    ['${}', '${}'],
    ['$-', '$-'],
    ['$3', ''],
    ['$unused', ''],
    ['$9', ''],
    ['$01', ''],
    ['$nosuch', ''],
    ['$1é', ''],
    ['${1}é', 'fooé'],
    ['plain', 'plain'],
    ['', ''],
    ['$100000000', ''],
  ])('%j → %j', (tpl, want) => {
    expect(expandTemplate(compileTemplate(tpl, names, 3), src, idx)).toBe(want);
  });

  it('precomputes reference-free templates', () => {
    expect(compileTemplate('a$$b', {}, 0).literal).toBe('a$b');
    expect(compileTemplate('a$1', {}, 1).literal).toBeUndefined();
  });
});
