export type { RelabelAction, RelabelConfig } from './relabel-config.js';
export { DEFAULT_RELABEL_CONFIG } from './relabel-config.js';
