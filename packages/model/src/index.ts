export { Labels, LabelsBuilder, fnv1a64 } from './labels.js';
export { LabelsMap } from './labels-map.js';
export type { LabelSet, TargetGroup, TargetSets } from './target-group.js';
export { ScrapewireError, InvalidOptionsError } from './errors.js';
export type { Logger } from './logger.js';
export { noopLogger } from './logger.js';
export { formatDuration } from './duration.js';
