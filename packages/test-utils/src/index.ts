export { findBinary, missingBinaryMessage } from './binaries.js';
