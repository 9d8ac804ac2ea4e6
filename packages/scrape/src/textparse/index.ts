export { EntryKind } from './parser.js';
export type { ExpositionParser } from './parser.js';
export { ParseError } from './parse-error.js';
export {
  createParser,
  formatForContentType,
  formatForProtocol,
  UnsupportedContentTypeError,
} from './create-parser.js';
export type { CreateParserOptions, ExpositionFormat } from './create-parser.js';
export { createTextParser } from './prom-parser.js';
export { createOpenMetricsParser } from './openmetrics-parser.js';
export { parseExposition } from './parse-exposition.js';
export type { ParsedFamily, ParsedSample } from './parse-exposition.js';
export { formatOpenMetricsFloat } from './float.js';
