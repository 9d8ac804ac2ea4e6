/* Rules */
export type { RelabelAction, RelabelConfig } from './relabel-config.js';
export { DEFAULT_RELABEL_CONFIG, RELABEL_ACTIONS } from './relabel-config.js';
export type { RelabelValidationIssue } from './validate.js';
export { validateRelabelConfig, findRelabelConfigIssue } from './validate.js';
export type { CompileRelabelOptions } from './compile.js';
export { compileRelabelConfigs, CompiledRelabelConfigs } from './compile.js';

/* Applying rules */
export { relabel } from './relabel.js';

/* Building blocks */
export type { NameValidationScheme } from './label-name.js';
export { isValidLabelName, isLegacyLabelName } from './label-name.js';
export type { RelabelRegex } from './regex.js';
export { compileRelabelRegex } from './regex.js';
export { hashmod } from './hashmod.js';

/* Errors */
export { RelabelConfigError } from './errors.js';

/* Targets */
export type {
  TargetLabelOptions,
  PopulateResult,
  PopulatedTarget,
  DroppedTarget,
  FailedTarget,
  GroupTargetResult,
} from './target.js';
export {
  populateTargetLabels,
  discoveredTargetLabels,
  targetsFromGroup,
  publicTargetLabels,
} from './target.js';
export { targetScrapeUrl } from './scrape-url.js';
export { parsePrometheusDuration } from './duration.js';
