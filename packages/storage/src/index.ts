/* The Appender contract */
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

/* Fanout */
export { fanout } from './fanout.js';

/* In-memory storage and queries */
export { MemoryStorage } from './memory-storage.js';
export type {
  LatestSample,
  MemoryStorageOptions,
  MemoryStorageStats,
  SamplePoint,
  SeriesPoints,
} from './memory-storage.js';
export { LabelMatcher, matchesAll } from './label-matcher.js';
export type { LabelMatcherSpec, MatchType } from './label-matcher.js';
export { formatFederation, formatGoFloat } from './federation.js';
export type { FederationSample } from './federation.js';

/* Remote write 1.0 */
export { createRemoteWrite, RemoteWriteStorage } from './remote/remote-write.js';
export type { RemoteWriteOptions, WriteRelabelFn } from './remote/remote-write.js';
export { QueueManager } from './remote/queue-manager.js';
export type { CloseResult, QueueManagerOptions } from './remote/queue-manager.js';
export { createHttpRemoteWriteClient, parseRetryAfter, USER_AGENT } from './remote/http-client.js';
export type { HttpRemoteWriteClientOptions, RemoteWriteClient, SendResult } from './remote/http-client.js';
export { InMemoryRemoteWriteMetrics, noopRemoteWriteMetrics } from './remote/remote-write-metrics.js';
export type {
  RemoteWriteCounts,
  RemoteWriteDropReason,
  RemoteWriteItemKind,
  RemoteWriteMetrics,
} from './remote/remote-write-metrics.js';
export { encodeLabels, encodeWriteRequest } from './remote/write-request.js';
export type { EncodedSeries, MetadataEntry, QueueItem } from './remote/write-request.js';
export { snappyCompress, snappyUncompress } from './remote/compress.js';
