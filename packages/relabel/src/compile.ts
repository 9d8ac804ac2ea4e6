import { RelabelConfigError } from './errors.js';
import { type CompiledTemplate, compileTemplate } from './expand.js';
import { isValidLabelName, type NameValidationScheme } from './label-name.js';
import { compileRelabelRegex, type RelabelRegex } from './regex.js';
import type { RelabelAction, RelabelConfig } from './relabel-config.js';
import { findRelabelConfigIssue } from './validate.js';

/** Options for {@link compileRelabelConfigs}. */
export interface CompileRelabelOptions {
  /**
   * How label names are validated, both when checking the rules and when a `replace` produces a
   * templated target name at run time. Pass the job's `metricNameValidationScheme`.
   * @defaultValue `'utf8'` (Prometheus 3.x)
   */
  readonly nameValidationScheme?: NameValidationScheme;
}

/** One validated rule with its regex and templates compiled. @internal */
export interface CompiledRule {
  readonly config: RelabelConfig;
  readonly action: RelabelAction;
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  readonly regex: RelabelRegex;
  /** True for the default `(.*)` regex: enables Prometheus's replace fast path. */
  readonly defaultRegex: boolean;
  readonly targetLabel: string;
  readonly target: CompiledTemplate;
  readonly replacement: CompiledTemplate;
  /** `modulus` as a bigint (it is a uint64 in Prometheus). */
  readonly modulus: bigint;
}

/**
 * A list of relabel rules compiled once (validated, regexes compiled, templates parsed) for applying to
 * many label sets with `relabel`. Immutable and safe to share.
 */
export class CompiledRelabelConfigs {
  /** @internal */
  constructor(
    /** @internal */ readonly rules: readonly CompiledRule[],
    /** The label name validation scheme the rules were compiled for. */
    readonly nameValidationScheme: NameValidationScheme,
  ) {}

  /** Number of rules. */
  get length(): number {
    return this.rules.length;
  }

  /** The rules as given. */
  get configs(): readonly RelabelConfig[] {
    return this.rules.map((r) => r.config);
  }
}

/**
 * Validates and compiles relabel rules. Compile once per configuration, then call `relabel` for
 * every label set.
 *
 * @throws {RelabelConfigError} for the first invalid rule, with Prometheus's message prefixed by the
 * rule's index, and `path` such as `[3].targetLabel`.
 * @example
 * ```ts
 * const compiled = compileRelabelConfigs([
 *   { ...DEFAULT_RELABEL_CONFIG, sourceLabels: ['__meta_env'], targetLabel: 'env' },
 * ]);
 * relabel(Labels.from({ __meta_env: 'prod' }), compiled); // {__meta_env="prod", env="prod"}
 * ```
 */
export function compileRelabelConfigs(
  rules: readonly RelabelConfig[],
  options: CompileRelabelOptions = {},
): CompiledRelabelConfigs {
  const scheme = options.nameValidationScheme ?? 'utf8';
  const compiled = rules.map((rule, i) => compileRule(rule, i, scheme));
  return new CompiledRelabelConfigs(Object.freeze(compiled), scheme);
}

function compileRule(rule: RelabelConfig, index: number, scheme: NameValidationScheme): CompiledRule {
  const issue = findRelabelConfigIssue(rule, scheme);
  if (issue !== undefined) {
    const what = issue.field === 'regex' ? `invalid regex ${JSON.stringify(rule.regex)}: ` : '';
    throw new RelabelConfigError(
      `relabel rule ${index}: ${what}${issue.message}`,
      `[${index}].${issue.field}`,
    );
  }
  const regex = compileRelabelRegex(rule.regex);
  const target = compileTemplate(rule.targetLabel, regex.namedGroups, regex.groupCount);
  const replacement = compileTemplate(rule.replacement, regex.namedGroups, regex.groupCount);
  if (
    target.literal !== undefined &&
    rule.action === 'replace' &&
    !isValidLabelName(target.literal, scheme)
  ) {
    // Unreachable after validation; kept so a literal target never needs a run-time check.
    throw new RelabelConfigError(`relabel rule ${index}: invalid target label`, `[${index}].targetLabel`);
  }
  return Object.freeze({
    config: rule,
    action: rule.action,
    sourceLabels: rule.sourceLabels,
    separator: rule.separator,
    regex,
    defaultRegex: rule.regex === '(.*)',
    targetLabel: rule.targetLabel,
    target,
    replacement,
    modulus: BigInt(rule.modulus),
  });
}
