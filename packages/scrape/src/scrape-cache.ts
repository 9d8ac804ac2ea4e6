import type { Labels } from '@scrapewire/model';
import type { Metadata, MetricType, SeriesRef } from '@scrapewire/storage';

/** A series the target exposes: its final labels and the storage's ref for it. */
export interface CacheEntry {
  ref: SeriesRef;
  readonly labels: Labels;
  /** `labels.key()`, computed once: staleness is tracked by final label set. */
  readonly key: string;
  /** The last scrape iteration that saw this series. */
  lastIter: number;
  /**
   * The family metadata snapshot this series was last checked against ({@link MetadataEntry.snapshot}),
   * reported to storage or found not to belong to the family; `undefined` when never checked or when the
   * report was rolled back. Identity comparison keeps the per-sample check allocation-free.
   */
  meta: Metadata | undefined;
}

/** Metadata of one metric family as last exposed. */
export interface MetadataEntry {
  type: MetricType;
  help: string;
  unit: string;
  lastIter: number;
  /**
   * A frozen copy of type/help/unit handed to storage, made on first use and dropped when any of them
   * changes: storages keep the object, so it must never be mutated, and a new object marks a change.
   */
  snapshot: Metadata | undefined;
}

/**
 * The per-target scrape cache (Prometheus's `scrapeCache`): raw series text → final labels and ref, so a
 * series seen before skips label parsing, relabeling and validation; raw text of series dropped by
 * `metric_relabel_configs`; the series seen in the previous and the current scrape, for staleness; and
 * family metadata.
 *
 * Keys are the raw series text, so a target that reorders labels creates new entries until the next flush.
 */
export class ScrapeCache {
  /** Incremented once per scrape. */
  iter = 0;
  readonly series = new Map<string, CacheEntry>();
  readonly dropped = new Map<string, number>();
  readonly metadata = new Map<string, MetadataEntry>();
  /**
   * Series appended in the previous completed scrape (candidates for stale markers), by final label set —
   * not by raw text, so two raw spellings of one series, or a successor loop after a config reload, agree.
   */
  prev = new Map<string, CacheEntry>();
  /** Series appended in the current scrape, by final label set. */
  cur = new Map<string, CacheEntry>();
  /** The report series (`up`, …) by name, kept apart from exposed series as Prometheus does with a 0xFF suffix. */
  readonly report = new Map<string, CacheEntry>();
  /**
   * Series whose metadata was handed to the appender in the current scrape. If that transaction is rolled
   * back (or its commit fails), {@link metadataNotStored} forgets those reports so the next scrape repeats
   * them; {@link iterDone} clears the list.
   */
  readonly metaReported: CacheEntry[] = [];
  private sizeAtLastSuccess = 0;

  /** The current scrape's metadata reports did not reach storage: report them again next time. */
  metadataNotStored(): void {
    for (const e of this.metaReported) e.meta = undefined;
    this.metaReported.length = 0;
  }

  /**
   * Ends a scrape iteration. After a successful, non-empty scrape (`flush`), entries not seen in this
   * iteration are dropped and metadata unseen for more than 10 iterations is forgotten. After a failed or
   * empty scrape nothing is flushed unless the cache has grown past `2 × size at last success + 1000`.
   *
   * @returns `true` when a forced flush happened.
   */
  iterDone(flush: boolean): boolean {
    let forced = false;
    const size = this.series.size + this.dropped.size;
    if (flush) {
      this.sizeAtLastSuccess = size;
    } else if (size > 2 * this.sizeAtLastSuccess + 1000) {
      flush = true;
      forced = true;
    }
    if (flush) {
      for (const [k, e] of this.series) if (e.lastIter !== this.iter) this.series.delete(k);
      for (const [k, it] of this.dropped) if (it !== this.iter) this.dropped.delete(k);
      for (const [k, m] of this.metadata) if (m.lastIter < this.iter - 10) this.metadata.delete(k);
    }
    this.metaReported.length = 0;
    this.prev = this.cur;
    this.cur = new Map();
    this.iter++;
    return forced;
  }
}
