import type { Labels } from '@scrapewire/model';
import type { MetricType, SeriesRef } from '@scrapewire/storage';

/** A series the target exposes: its final labels and the storage's ref for it. */
export interface CacheEntry {
  ref: SeriesRef;
  readonly labels: Labels;
  /** `labels.key()`, computed once: staleness is tracked by final label set. */
  readonly key: string;
  /** The last scrape iteration that saw this series. */
  lastIter: number;
}

/** Metadata of one metric family as last exposed. */
export interface MetadataEntry {
  type: MetricType;
  help: string;
  unit: string;
  lastIter: number;
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
  private sizeAtLastSuccess = 0;

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
    this.prev = this.cur;
    this.cur = new Map();
    this.iter++;
    return forced;
  }
}
