import { RE2JS } from 're2js';

/**
 * How label names are validated: `utf8` (Prometheus 3.x's default, any non-empty valid UTF-8) or
 * `legacy` (`[a-zA-Z_][a-zA-Z0-9_]*`, Prometheus 2.x and `metric_name_validation_scheme: legacy`).
 */
export type NameValidationScheme = 'utf8' | 'legacy';

const LEGACY_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// A lone surrogate cannot be encoded as UTF-8, so a JS string is valid UTF-8 exactly when it has none.
const ANY_SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `name` is a legacy Prometheus label name. */
export function isLegacyLabelName(name: string): boolean {
  return LEGACY_NAME.test(name);
}

/** True when `value` encodes to valid UTF-8 (no lone surrogates); what Prometheus requires of values. */
export function isValidUtf8(value: string): boolean {
  // Most values have no surrogates at all; the cheap test spares the look-around regex.
  return !ANY_SURROGATE.test(value) || !LONE_SURROGATE.test(value);
}

/** True when `name` is a valid label name under `scheme`. */
export function isValidLabelName(name: string, scheme: NameValidationScheme = 'utf8'): boolean {
  if (scheme === 'legacy') return LEGACY_NAME.test(name);
  return name.length > 0 && !LONE_SURROGATE.test(name);
}

// Prometheus's pattern for a legacy `target_label`/`replacement` that may hold `$1`/`${name}` references.
// Compiled with RE2: its nested quantifiers would backtrack exponentially in V8's engine on a long
// near-miss like `aaaa…a-`.
const LEGACY_NAME_WITH_REFS = RE2JS.compile('^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$');

/**
 * True when `template` is acceptable as a templated label name under `scheme`: under `legacy`, letters,
 * digits, `_` and `$ref`/`${ref}` references; under `utf8`, any valid name.
 */
export function isValidLabelNameTemplate(template: string, scheme: NameValidationScheme): boolean {
  if (scheme === 'utf8') return isValidLabelName(template, 'utf8');
  return LEGACY_NAME_WITH_REFS.matches(template);
}
