import * as relabel from '@scrapewire/relabel';
import { DEFAULT_RELABEL_CONFIG, type RelabelAction, type RelabelConfig } from '@scrapewire/relabel';
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

const ACTIONS = new Set<RelabelAction>([
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
]);

type Validator = (rule: RelabelConfig, nameValidationScheme?: 'utf8' | 'legacy') => string | undefined;

/**
 * `validateRelabelConfig` belongs to `@scrapewire/relabel` (its rules live with the engine that applies
 * them). Looked up through the namespace so that this package keeps building while both are being
 * written; once it exists it is always used.
 */
function relabelValidator(): Validator | undefined {
  const fn = (relabel as unknown as Record<string, unknown>).validateRelabelConfig;
  return typeof fn === 'function' ? (fn as Validator) : undefined;
}

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
    if (!ACTIONS.has(lower)) actionField.fail(`unknown relabel action ${JSON.stringify(text)}`);
    action = lower;
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
  const validate = relabelValidator();
  const problem = validate ? validate(rule, nameValidationScheme) : fallbackValidate(rule);
  if (problem !== undefined) {
    // Point at the field the message is about when it names one.
    const named = /regex|regexp/i.test(problem)
      ? 'regex'
      : /modulus/.test(problem)
        ? 'modulus'
        : /'replacement'/.test(problem)
          ? 'replacement'
          : /target_label/.test(problem)
            ? 'target_label'
            : undefined;
    const at = (named && f.get(named)) || entry;
    at.fail(problem);
  }
  return rule;
}

/**
 * The structural rules only, for as long as `@scrapewire/relabel` does not export its validator.
 * Regular expressions are not compiled here (RE2 syntax needs the relabel package's engine).
 */
function fallbackValidate(r: RelabelConfig): string | undefined {
  if (r.action === 'hashmod' && r.modulus === 0)
    return 'relabel configuration for hashmod requires non-zero modulus';
  const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (needsTarget.includes(r.action) && r.targetLabel === '') {
    return `relabel configuration for ${r.action} action requires 'target_label' value`;
  }
  if (['lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(r.action) && r.replacement !== '$1') {
    return `'replacement' can not be set for ${r.action} action`;
  }
  if (r.action === 'keepequal' || r.action === 'dropequal') {
    if (r.regex !== '(.*)' || r.modulus !== 0 || r.separator !== ';') {
      return `${r.action} action requires only 'source_labels' and \`target_label\`, and no other fields`;
    }
  }
  if (r.action === 'labeldrop' || r.action === 'labelkeep') {
    if (
      r.sourceLabels.length > 0 ||
      r.targetLabel !== '' ||
      r.modulus !== 0 ||
      r.separator !== ';' ||
      r.replacement !== '$1'
    ) {
      return `${r.action} action requires only 'regex', and no other fields`;
    }
  }
  return undefined;
}
