import { appendFile } from 'node:fs/promises';
import type { Labels } from '@scrapewire/model';
import type {
  Appendable,
  Appender,
  Exemplar,
  Metadata,
  NativeHistogram,
  SeriesRef,
} from '@scrapewire/storage';

/** One NDJSON line: a sample, a staleness marker, a native histogram, an exemplar or metadata. */
export type NdjsonRecord =
  | {
      readonly type: 'sample';
      readonly labels: Record<string, string>;
      readonly t: number;
      readonly v: number | string;
    }
  | { readonly type: 'stale'; readonly labels: Record<string, string>; readonly t: number }
  | {
      readonly type: 'histogram';
      readonly labels: Record<string, string>;
      readonly t: number;
      readonly h: NativeHistogram;
    }
  | {
      readonly type: 'exemplar';
      readonly labels: Record<string, string>;
      readonly exemplar: { labels: Record<string, string>; v: number | string; t?: number };
    }
  | { readonly type: 'metadata'; readonly labels: Record<string, string>; readonly metadata: Metadata };

/** JSON has no NaN or infinities; write them as Prometheus spells them. */
function jsonNumber(v: number): number | string {
  if (Number.isFinite(v)) return v;
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '+Inf' : '-Inf';
}

/**
 * A storage of your own: it writes every committed transaction (one scrape) to a file as NDJSON, one
 * line per sample, and nothing for a rolled-back one. It implements scrapewire's `Appendable`, so it
 * plugs in wherever a storage is taken — alone, or next to a MemoryStorage through `fanout`.
 *
 * Writes of successive commits are serialised, so the lines of one scrape are never interleaved with
 * another's.
 */
export class NdjsonAppendable implements Appendable {
  #tail: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  appender(): Appender {
    return new NdjsonAppender(this);
  }

  /** @internal Appends the lines of one commit after all earlier commits' lines. */
  write(lines: string): Promise<void> {
    const next = this.#tail.then(() => appendFile(this.path, lines, 'utf8'));
    // Keep the chain alive after a failed write; the failing commit still sees its own error.
    this.#tail = next.catch(() => {});
    return next;
  }
}

class NdjsonAppender implements Appender {
  #records: NdjsonRecord[] = [];
  #done = false;

  constructor(private readonly target: NdjsonAppendable) {}

  #push(r: NdjsonRecord): SeriesRef {
    if (this.#done) throw new Error('appender already committed or rolled back');
    this.#records.push(r);
    // This storage keeps no series index, so it hands out no refs (0 = unknown).
    return 0;
  }

  append(_ref: SeriesRef, labels: Labels, timestampMs: number, value: number): SeriesRef {
    return this.#push({ type: 'sample', labels: labels.toObject(), t: timestampMs, v: jsonNumber(value) });
  }

  appendStale(_ref: SeriesRef, labels: Labels, timestampMs: number): SeriesRef {
    return this.#push({ type: 'stale', labels: labels.toObject(), t: timestampMs });
  }

  appendHistogram(
    _ref: SeriesRef,
    labels: Labels,
    timestampMs: number,
    histogram: NativeHistogram,
  ): SeriesRef {
    return this.#push({ type: 'histogram', labels: labels.toObject(), t: timestampMs, h: histogram });
  }

  appendExemplar(_ref: SeriesRef, labels: Labels, exemplar: Exemplar): SeriesRef {
    const e: { labels: Record<string, string>; v: number | string; t?: number } = {
      labels: exemplar.labels.toObject(),
      v: jsonNumber(exemplar.value),
    };
    if (exemplar.timestampMs !== undefined) e.t = exemplar.timestampMs;
    return this.#push({ type: 'exemplar', labels: labels.toObject(), exemplar: e });
  }

  updateMetadata(_ref: SeriesRef, labels: Labels, metadata: Metadata): SeriesRef {
    return this.#push({ type: 'metadata', labels: labels.toObject(), metadata });
  }

  async commit(): Promise<void> {
    if (this.#done) throw new Error('appender already committed or rolled back');
    this.#done = true;
    const records = this.#records;
    this.#records = [];
    if (records.length === 0) return;
    await this.target.write(`${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  }

  async rollback(): Promise<void> {
    this.#done = true;
    this.#records = [];
  }
}
