import type { Labels } from '@scrapewire/model';
import type { Exemplar, MetricType } from '@scrapewire/storage';

/** What {@link ExpositionParser.next} found. Numeric so that the hot loop compares small integers. */
export const EntryKind = {
  /** No more input: the body is done (after `# EOF` for OpenMetrics). */
  End: 0,
  Series: 1,
  Help: 2,
  Type: 3,
  Unit: 4,
  Comment: 5,
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/**
 * A pull parser over one exposition body, in the shape of Prometheus's `textparse.Parser`: call
 * {@link next} until it returns `EntryKind.End`, and after each entry read only what you need. Label
 * objects are built only by {@link labels}; {@link seriesKey} gives a cheap identity of the raw series
 * text for caches. Everything it throws is a `ParseError` with line and column.
 *
 * The accessors describe the current entry and are valid only until the next call to `next()`.
 */
export interface ExpositionParser {
  /** Advances to the next entry. @throws {ParseError} */
  next(): EntryKind;
  /** Series: the raw bytes of the metric name and label set, as written (a view; do not keep or mutate). */
  seriesBytes(): Uint8Array;
  /**
   * Series: a string equal for byte-identical series text and different otherwise (the raw bytes read as
   * latin1), for keying the scrape cache without building labels.
   *
   * It may share memory with the whole body (the text parser returns an O(1) slice of the body decoded
   * once): a caller that keeps keys long-term, e.g. a cache inserting a new series, should store a copy
   * (`Buffer.from(seriesBytes()).toString('latin1')`) so that the key does not keep the body alive.
   */
  seriesKey(): string;
  /** Series: the sample value. */
  value(): number;
  /** Series: the timestamp in milliseconds, or `undefined` when the line has none. */
  timestampMs(): number | undefined;
  /** Series: the label set, `__name__` included. Allocates; call only on a cache miss. */
  labels(): Labels;
  /** Series: the metric name. */
  metricName(): string;
  /** Series (OpenMetrics): the exemplar of this line, if any. */
  exemplar(): Exemplar | undefined;
  /** Series (OpenMetrics): the `_created` timestamp of the series' family in milliseconds, if known. */
  createdTimestampMs(): number | undefined;
  /**
   * Help: the metric family name and the unescaped help text. Like {@link seriesKey}, both may share
   * memory with the whole body: copy them before keeping them long-term.
   */
  help(): { readonly metricName: string; readonly text: string };
  /** Type: the metric family name (which may share memory with the body, as above) and its type. */
  type(): { readonly metricName: string; readonly type: MetricType };
  /** Unit (OpenMetrics): the metric family name and its unit. */
  unit(): { readonly metricName: string; readonly unit: string };
  /**
   * Help/Type/Unit: the whole raw line (latin1, without its newline) as a string of its own, for caches
   * that remember what a line said; `undefined` when the parser cannot give it cheaply. Optional.
   */
  metadataLine?(): string | undefined;
  /**
   * Help/Type/Unit: whether the raw line equals `line` (a {@link metadataLine} result), without copying
   * the line; false whenever {@link metadataLine} would be `undefined`. Optional.
   */
  metadataLineIs?(line: string): boolean;
  /** Comment: the comment text without the leading `#`. */
  comment(): string;
  /**
   * The byte offset in the body where the current entry's line starts (after leading blanks), e.g. for
   * tools that report line numbers of their own findings. Optional: scrapewire's parsers provide it.
   */
  entryOffset?(): number;
}
