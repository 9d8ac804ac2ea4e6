export type {
  Appendable,
  Appender,
  Exemplar,
  FloatHistogram,
  HistogramSpan,
  IntHistogram,
  Metadata,
  MetricType,
  NativeHistogram,
  SeriesRef,
} from './appender.js';
export { STALE_NAN_BITS } from './appender.js';
export { StorageError } from './errors.js';
export type { StorageErrorCode } from './errors.js';
