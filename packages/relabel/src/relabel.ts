import type { Labels } from '@scrapewire/model';
import { RelabelBuilder } from './builder.js';
import { goToLower, goToUpper } from './case-mapping.js';
import type { CompiledRelabelConfigs, CompiledRule } from './compile.js';
import { expandTemplate } from './expand.js';
import { hashmod } from './hashmod.js';
import { isValidLabelName, type NameValidationScheme } from './label-name.js';

/**
 * Applies compiled relabel rules to a label set, in order, as Prometheus 3.x's `relabel.Process` does.
 * Returns the new label set (the same object when nothing changed), or `undefined` when a
 * `keep`/`drop`/`keepequal`/`dropequal` rule dropped it; the first dropping rule stops processing.
 *
 * @example
 * ```ts
 * const compiled = compileRelabelConfigs([{ ...DEFAULT_RELABEL_CONFIG, action: 'labeldrop', regex: 'tmp_.*' }]);
 * relabel(Labels.from({ a: '1', tmp_x: '2' }), compiled); // {a="1"}
 * ```
 */
export function relabel(labels: Labels, compiled: CompiledRelabelConfigs): Labels | undefined {
  if (compiled.rules.length === 0) return labels;
  const b = new RelabelBuilder().reset(labels);
  return applyRules(b, compiled) ? b.labels() : undefined;
}

/**
 * Applies the rules to a builder in place; false when the label set was dropped.
 * @internal
 */
export function applyRules(b: RelabelBuilder, compiled: CompiledRelabelConfigs): boolean {
  const rules = compiled.rules;
  const scheme = compiled.nameValidationScheme;
  for (let i = 0; i < rules.length; i++) {
    if (!applyRule(b, rules[i]!, scheme)) return false;
  }
  return true;
}

function sourceValue(b: RelabelBuilder, rule: CompiledRule): string {
  const src = rule.sourceLabels;
  switch (src.length) {
    case 0:
      return '';
    case 1:
      return b.get(src[0]!);
    default: {
      let val = b.get(src[0]!);
      for (let i = 1; i < src.length; i++) val += rule.separator + b.get(src[i]!);
      return val;
    }
  }
}

function applyRule(b: RelabelBuilder, rule: CompiledRule, scheme: NameValidationScheme): boolean {
  const val = sourceValue(b, rule);
  switch (rule.action) {
    case 'drop':
      return !rule.regex.matches(val);
    case 'keep':
      return rule.regex.matches(val);
    case 'dropequal':
      return b.get(rule.targetLabel) !== val;
    case 'keepequal':
      return b.get(rule.targetLabel) === val;
    case 'replace': {
      // Prometheus's fast path: nothing to match or expand, so set (or, if empty, delete) literally.
      if (
        val === '' &&
        rule.defaultRegex &&
        rule.target.literal !== undefined &&
        rule.replacement.literal !== undefined
      ) {
        b.set(rule.targetLabel, rule.replacement.literal);
        return true;
      }
      const idx = rule.regex.exec(val);
      if (idx === undefined) return true;
      const target = expandTemplate(rule.target, val, idx);
      // A templated target that expands to an invalid name is a no-op in 3.x.
      if (rule.target.literal === undefined && !isValidLabelName(target, scheme)) return true;
      const res = expandTemplate(rule.replacement, val, idx);
      if (res === '') b.del(target);
      else b.set(target, res);
      return true;
    }
    case 'lowercase':
      b.set(rule.targetLabel, goToLower(val));
      return true;
    case 'uppercase':
      b.set(rule.targetLabel, goToUpper(val));
      return true;
    case 'hashmod':
      b.set(rule.targetLabel, hashmod(val, rule.modulus).toString());
      return true;
    case 'labelmap':
      b.range((name, value) => {
        const idx = rule.regex.exec(name);
        if (idx !== undefined) b.set(expandTemplate(rule.replacement, name, idx), value);
      });
      return true;
    case 'labeldrop':
      b.range((name) => {
        if (rule.regex.matches(name)) b.del(name);
      });
      return true;
    case 'labelkeep':
      b.range((name) => {
        if (!rule.regex.matches(name)) b.del(name);
      });
      return true;
  }
}
