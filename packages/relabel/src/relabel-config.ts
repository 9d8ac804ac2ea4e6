/** A relabel action, lower-case as Prometheus prints it (the file format accepts any case). */
export type RelabelAction =
  | 'replace'
  | 'keep'
  | 'drop'
  | 'keepequal'
  | 'dropequal'
  | 'hashmod'
  | 'labelmap'
  | 'labeldrop'
  | 'labelkeep'
  | 'lowercase'
  | 'uppercase';

/** Every relabel action Prometheus 3.x knows. */
export const RELABEL_ACTIONS: ReadonlySet<RelabelAction> = new Set<RelabelAction>([
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

/**
 * One relabel rule as written in `relabel_configs`, `metric_relabel_configs` or `write_relabel_configs`,
 * with Prometheus's defaults applied (see {@link DEFAULT_RELABEL_CONFIG}). Plain data: compile it once
 * with `compileRelabelConfigs` before applying it to many label sets.
 */
export interface RelabelConfig {
  readonly sourceLabels: readonly string[];
  /** @defaultValue `';'` */
  readonly separator: string;
  /** RE2 syntax, unanchored as written; anchoring happens at compile time. @defaultValue `'(.*)'` */
  readonly regex: string;
  /** Only for `hashmod`. @defaultValue `0` */
  readonly modulus: number;
  /** @defaultValue `''` */
  readonly targetLabel: string;
  /** @defaultValue `'$1'` */
  readonly replacement: string;
  /** @defaultValue `'replace'` */
  readonly action: RelabelAction;
}

/** Prometheus's `DefaultRelabelConfig`. */
export const DEFAULT_RELABEL_CONFIG: RelabelConfig = Object.freeze({
  sourceLabels: Object.freeze([]) as readonly string[],
  separator: ';',
  regex: '(.*)',
  modulus: 0,
  targetLabel: '',
  replacement: '$1',
  action: 'replace',
});
