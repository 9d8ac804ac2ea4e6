import { isValidLabelName, isValidLabelNameTemplate, type NameValidationScheme } from './label-name.js';
import { DEFAULT_RELABEL_CONFIG, RELABEL_ACTIONS, type RelabelConfig } from './relabel-config.js';
import { RE2JS } from 're2js';

const NEEDS_TARGET: ReadonlySet<string> = new Set([
  'replace',
  'hashmod',
  'lowercase',
  'uppercase',
  'keepequal',
  'dropequal',
]);
const PLAIN_TARGET: ReadonlySet<string> = new Set(['lowercase', 'uppercase', 'keepequal', 'dropequal']);

/** A validation failure: Prometheus's message and the field it is about. */
export interface RelabelValidationIssue {
  readonly message: string;
  /** `action`, `modulus`, `targetLabel`, `replacement`, `regex`, … */
  readonly field: string;
}

/**
 * Checks one rule the way Prometheus 3.x's `relabel.Config.Validate` does (plus the regex compile that
 * Prometheus performs while parsing) and returns Prometheus's error message, or `undefined` when the
 * rule is valid.
 *
 * @param rule - the rule with defaults applied (see `DEFAULT_RELABEL_CONFIG`).
 * @param scheme - label name validation: `utf8` (3.x default) or `legacy`.
 * @example
 * ```ts
 * validateRelabelConfig({ ...DEFAULT_RELABEL_CONFIG, targetLabel: '' });
 * // → "relabel configuration for replace action requires 'target_label' value"
 * ```
 */
export function validateRelabelConfig(
  rule: RelabelConfig,
  scheme: NameValidationScheme = 'utf8',
): string | undefined {
  return findRelabelConfigIssue(rule, scheme)?.message;
}

/** Like {@link validateRelabelConfig}, but also names the offending field. */
export function findRelabelConfigIssue(
  rule: RelabelConfig,
  scheme: NameValidationScheme = 'utf8',
): RelabelValidationIssue | undefined {
  const { action, targetLabel, replacement } = rule;
  const issue = (message: string, field: string) => ({ message, field });
  if ((action as string) === '') return issue('relabel action cannot be empty', 'action');
  if (!(RELABEL_ACTIONS as ReadonlySet<string>).has(action))
    return issue(`unknown relabel action ${JSON.stringify(action)}`, 'action');
  // Prometheus compiles the regex while parsing, so a bad regex is reported before the checks below.
  try {
    RE2JS.compile(`^(?s:${rule.regex})$`);
  } catch (err) {
    return issue((err as Error).message, 'regex');
  }
  if (action === 'hashmod' && rule.modulus === 0) {
    return issue('relabel configuration for hashmod requires non-zero modulus', 'modulus');
  }
  if (!Number.isInteger(rule.modulus) || rule.modulus < 0 || rule.modulus > 2 ** 64 - 1) {
    return issue(`invalid modulus ${rule.modulus}: must be an unsigned 64-bit integer`, 'modulus');
  }
  if (NEEDS_TARGET.has(action) && targetLabel === '') {
    return issue(`relabel configuration for ${action} action requires 'target_label' value`, 'targetLabel');
  }
  const badTarget = () =>
    issue(`${JSON.stringify(targetLabel)} is invalid 'target_label' for ${action} action`, 'targetLabel');
  if (action === 'replace') {
    const templated = targetLabel.includes('$');
    const ok = templated
      ? isValidLabelNameTemplate(targetLabel, scheme)
      : isValidLabelName(targetLabel, scheme);
    if (!ok) return badTarget();
  }
  if (PLAIN_TARGET.has(action) && !isValidLabelName(targetLabel, scheme)) return badTarget();
  if (PLAIN_TARGET.has(action) && replacement !== DEFAULT_RELABEL_CONFIG.replacement) {
    return issue(`'replacement' can not be set for ${action} action`, 'replacement');
  }
  if (action === 'labelmap' && !isValidLabelNameTemplate(replacement, scheme)) {
    return issue(
      `${JSON.stringify(replacement)} is invalid 'replacement' for ${action} action`,
      'replacement',
    );
  }
  if (action === 'hashmod' && !isValidLabelName(targetLabel, scheme)) return badTarget();
  if (action === 'keepequal' || action === 'dropequal') {
    if (
      rule.regex !== DEFAULT_RELABEL_CONFIG.regex ||
      rule.modulus !== DEFAULT_RELABEL_CONFIG.modulus ||
      rule.separator !== DEFAULT_RELABEL_CONFIG.separator ||
      replacement !== DEFAULT_RELABEL_CONFIG.replacement
    ) {
      return issue(
        `${action} action requires only 'source_labels' and \`target_label\`, and no other fields`,
        'action',
      );
    }
  }
  if (action === 'labeldrop' || action === 'labelkeep') {
    if (
      rule.sourceLabels.length > 0 ||
      targetLabel !== DEFAULT_RELABEL_CONFIG.targetLabel ||
      rule.modulus !== DEFAULT_RELABEL_CONFIG.modulus ||
      rule.separator !== DEFAULT_RELABEL_CONFIG.separator ||
      replacement !== DEFAULT_RELABEL_CONFIG.replacement
    ) {
      return issue(`${action} action requires only 'regex', and no other fields`, 'action');
    }
  }
  return undefined;
}
