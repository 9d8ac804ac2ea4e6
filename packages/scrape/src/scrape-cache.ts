import { type Labels, LabelsMap } from '@scrapewire/model';
import type { Metadata, MetricType, SeriesRef } from '@scrapewire/storage';

/** A series the target exposes: its final labels and the storage's ref for it. */
export interface CacheEntry {
  ref: SeriesRef;
  readonly labels: Labels;
  /** The raw series text this entry is cached under in {@link ScrapeCache.series} ('' for report series). */
  rawKey: string;
  /** The last scrape iteration that saw this raw series text. */
  lastIter: number;
  /**
   * The entry that stands for this final label set in staleness tracking: itself, unless another raw
   * spelling (or a predecessor loop's entry, after a config reload) reached the same labels first. Two
   * raw spellings of one series must agree that the series is alive.
   */
  canonical: CacheEntry;
  /** On a canonical entry: the {@link nextScrapeStamp} of the last scrape that appended this series. */
  stamp: number;
  /**
   * The family metadata snapshot this series was last checked against ({@link MetadataEntry.snapshot}),
   * reported to storage or found not to belong to the family; `undefined` when never checked or when the
   * report was rolled back. Identity comparison keeps the per-sample check allocation-free.
   */
  meta: Metadata | undefined;
}

/**
 * A new cache entry for `labels`, its own canonical entry until {@link ScrapeCache} finds another. Every
 * entry is built here, so all have one shape (property order) and the hot loop stays monomorphic.
 */
export function newCacheEntry(labels: Labels, lastIter: number): CacheEntry {
  const e = {
    ref: 0,
    labels,
    rawKey: '',
    lastIter,
    canonical: undefined as unknown as CacheEntry,
    stamp: 0,
    meta: undefined,
  } satisfies CacheEntry;
  e.canonical = e;
  return e;
}

/** Metadata of one metric family as last exposed. */
export interface MetadataEntry {
  /** The family name it is cached under in {@link ScrapeCache.metadata}. */
  readonly name: string;
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

let stampCounter = 0;

/**
 * A number no scrape of any loop has used before. Canonical entries are stamped with it when appended,
 * so "seen in this scrape" is one comparison, and a successor loop that inherits a predecessor's entries
 * (which were stamped by another cache) can never confuse their stamps with its own.
 */
export function nextScrapeStamp(): number {
  return ++stampCounter;
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
  /**
   * The entries of the last scrape by position in the body (`undefined` where a sample was dropped or
   * not cached). Exporters write their series in the same order every time, so the append step first
   * compares the raw text with the entry at the same position — one string comparison — and looks the
   * series up in the map only when that fails: hashing every key text of every scrape cost more than
   * the rest of a cache hit.
   */
  readonly order: (CacheEntry | undefined)[] = [];
  /** The same for metadata lines (HELP, TYPE, UNIT), whose family entries repeat in order too. */
  readonly metadataOrder: (MetadataEntry | undefined)[] = [];
  /**
   * Beside {@link metadataOrder}: each position's raw line ('' when the parser could not give it) and
   * what it said (help text, type or unit). An unchanged line at its usual place is recognised by
   * comparing bytes, and needs neither a string nor a lookup. The strings are pooled across targets.
   */
  readonly metadataLines: string[] = [];
  readonly metadataValues: string[] = [];
  readonly dropped = new Map<string, number>();
  readonly metadata = new Map<string, MetadataEntry>();
  /**
   * Canonical entries by final label set, consulted only when a new raw series is cached, so that every
   * spelling of one series shares one canonical entry. Flushed with `series`.
   */
  readonly byLabels = new LabelsMap<CacheEntry>((e) => e.labels);
  /**
   * Canonical entries appended in the previous completed scrape: the candidates for stale markers, which
   * go to those whose `stamp` is not the current scrape's.
   *
   * Prometheus keeps two hash maps (previous and current series) and fills the current one per sample;
   * here each series is stamped instead and the lists are reused arrays, so a scrape writes no map.
   */
  prev: CacheEntry[] = [];
  /** Canonical entries appended in the current scrape, each once. */
  cur: CacheEntry[] = [];
  /** The stamp of the current scrape (see {@link nextScrapeStamp}). */
  stamp = nextScrapeStamp();
  /** The report series (`up`, …) by name, kept apart from exposed series as Prometheus does with a 0xFF suffix. */
  readonly report = new Map<string, CacheEntry>();
  /**
   * Series whose metadata was handed to the appender in the current scrape. If that transaction is rolled
   * back (or its commit fails), {@link metadataNotStored} forgets those reports so the next scrape repeats
   * them; {@link iterDone} clears the list.
   */
  readonly metaReported: CacheEntry[] = [];
  /**
   * Entries of `series` (and keys of `dropped`) seen in the current scrape, each counted once. When they
   * account for the whole map, nothing can be flushed and {@link iterDone} skips walking it: a steady
   * target then ends a scrape without touching every entry.
   */
  seenSeries = 0;
  seenDropped = 0;
  private sizeAtLastSuccess = 0;

  /** The current scrape's metadata reports did not reach storage: report them again next time. */
  metadataNotStored(): void {
    for (const e of this.metaReported) e.meta = undefined;
    this.metaReported.length = 0;
  }

  /**
   * Takes over a predecessor loop's series (after a config reload that needs a fresh cache): its last
   * scrape's series become this cache's previous ones, so those that vanish get stale markers, and its
   * canonical entries are found by label set, so those that continue are not marked.
   */
  inherit(old: ScrapeCache): void {
    this.prev = old.prev.slice();
    for (const e of old.byLabels.values()) if (!this.byLabels.has(e.labels)) this.byLabels.set(e.labels, e);
  }

  /**
   * Ends a scrape iteration. After a successful, non-empty scrape (`flush`), entries not seen in this
   * iteration are dropped, and metadata unseen for more than 10 iterations is forgotten (checked when
   * series went away and every 16 iterations). After a failed or
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
    if (forced) {
      // The forced flush may drop entries the positional orders still point to.
      this.order.length = 0;
      this.metadataOrder.length = 0;
      this.metadataLines.length = 0;
      this.metadataValues.length = 0;
    }
    if (flush) {
      const iter = this.iter;
      const seriesGone = this.seenSeries !== this.series.size;
      const droppedGone = this.seenDropped !== this.dropped.size;
      // forEach rather than for-of: no [key, value] array per entry.
      if (seriesGone) {
        this.series.forEach((e, k) => {
          if (e.lastIter !== iter) this.series.delete(k);
        });
      }
      if (droppedGone) {
        this.dropped.forEach((it, k) => {
          if (it !== iter) this.dropped.delete(k);
        });
      }
      // Canonical entries and metadata only hold memory once unused, so they are swept when series went
      // away and every 16th scrape otherwise, rather than walked on every scrape.
      if (seriesGone || droppedGone || (iter & 15) === 0) {
        // A canonical entry stays while any spelling of its series was seen (aliases stamp it too).
        for (const e of this.byLabels.values()) {
          if (e.lastIter !== iter && e.stamp !== this.stamp) this.byLabels.delete(e.labels);
        }
        this.metadata.forEach((m, k) => {
          if (m.lastIter < iter - 10) this.metadata.delete(k);
        });
      }
    }
    this.seenSeries = 0;
    this.seenDropped = 0;
    this.metaReported.length = 0;
    const old = this.prev;
    this.prev = this.cur;
    old.length = 0;
    this.cur = old;
    this.iter++;
    this.stamp = nextScrapeStamp();
    return forced;
  }
}
