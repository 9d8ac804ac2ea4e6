import {
  DEFAULT_RELABEL_CONFIG,
  findRelabelConfigIssue,
  RELABEL_ACTIONS,
  type RelabelAction,
  type RelabelConfig,
} from '@scrapewire/relabel';
import type { Field } from './yaml-field.js';

const RELABEL_KEYS = [
  'source_labels',
  'separator',
  'regex',
  'modulus',
  'target_label',
  'replacement',
  'action',
];

/**
 * Reads one list of relabel rules (`relabel_configs`, `metric_relabel_configs`, `write_relabel_configs`),
 * applying Prometheus's defaults and validating each rule.
 *
 * @param nullMessage Prometheus's error for a `null` entry in this list
 */
export function readRelabelConfigs(
  list: Field | undefined,
  nullMessage: string,
  nameValidationScheme: 'utf8' | 'legacy',
): RelabelConfig[] {
  if (!list) return [];
  const entries = list.list();
  // Prometheus rejects a null entry before it validates any rule.
  for (const entry of entries) if (entry.isNull) entry.fail(nullMessage);
  return entries.map((entry) => readRelabelConfig(entry, nameValidationScheme));
}

function readRelabelConfig(entry: Field, nameValidationScheme: 'utf8' | 'legacy'): RelabelConfig {
  const f = entry.struct('relabel_config', RELABEL_KEYS);
  let action: RelabelAction = DEFAULT_RELABEL_CONFIG.action;
  const actionField = f.get('action');
  if (actionField) {
    const text = actionField.str();
    const lower = text.toLowerCase() as RelabelAction;
    if (!(RELABEL_ACTIONS as ReadonlySet<string>).has(lower))
      actionField.fail(`unknown relabel action ${JSON.stringify(text)}`);
    action = lower;
  }
  const sourceField = f.get('source_labels');
  for (const label of sourceField && !sourceField.isNull ? sourceField.list() : []) {
    // Label names are checked while parsing, with Prometheus 3's UTF-8 rules: any non-empty name.
    if (label.str() === '') label.fail('"" is not a valid label name');
  }
  const regexField = f.get('regex');
  const rule: RelabelConfig = {
    sourceLabels: f.get('source_labels')?.strList() ?? [],
    separator: f.has('separator') ? f.get('separator')!.str() : DEFAULT_RELABEL_CONFIG.separator,
    // An explicit empty or null regex matches only the empty string, as in Prometheus.
    regex: regexField ? regexField.str() : DEFAULT_RELABEL_CONFIG.regex,
    modulus: f.get('modulus')?.uint() ?? DEFAULT_RELABEL_CONFIG.modulus,
    targetLabel: f.get('target_label')?.str() ?? DEFAULT_RELABEL_CONFIG.targetLabel,
    replacement: f.has('replacement') ? f.get('replacement')!.str() : DEFAULT_RELABEL_CONFIG.replacement,
    action,
  };
  // The rules (and the RE2 regex compile) live with the engine that applies them.
  const issue = findRelabelConfigIssue(rule, nameValidationScheme);
  if (issue) {
    const key = issue.field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    (f.get(key) ?? entry).fail(issue.message);
  }
  return rule;
}
