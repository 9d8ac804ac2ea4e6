import type { Labels } from '@scrapewire/model';
import type { Appendable, Appender, Exemplar, Metadata, NativeHistogram, SeriesRef } from './appender.js';
import { RefIndex } from './ref-index.js';

/**
 * Combines storages so that one scrape writes to all of them, with Prometheus's fanout semantics
 * (`storage/fanout.go`): every append goes to the primary first, and an error from the primary is thrown
 * before any secondary sees the sample; an error from a secondary is thrown too. `commit` commits the
 * primary, then each secondary while no error has happened so far, rolls the rest back after the first
 * error, and rethrows that error. `rollback` rolls back all of them.
 *
 * The ref returned is the primary's. Unlike Prometheus, which hands the primary's ref to the
 * secondaries, each secondary gets back the ref it issued itself, because refs are private to a storage.
 */
export function fanout(primary: Appendable, ...secondaries: Appendable[]): Appendable {
  if (secondaries.length === 0) return primary;
  // Kept across transactions: a scrape passes the primary's ref of a series it saw before, and each
  // secondary must get the ref it issued for that series, or it falls back to a lookup by labels.
  const secondaryRefs = secondaries.map(() => new RefIndex<SeriesRef>());
  return {
    appender(): Appender {
      return new FanoutAppender(
        primary.appender(),
        secondaries.map((s) => s.appender()),
        secondaryRefs,
      );
    },
  };
}

/**
 * How many primary refs a fanout remembers per secondary. Past it the table starts over: the cost is one
 * lookup by labels per series in the secondary, and series churn cannot grow it without bound.
 */
const MAX_REMEMBERED_REFS = 2_000_000;

class FanoutAppender implements Appender {
  constructor(
    private readonly primary: Appender,
    private readonly secondaries: readonly Appender[],
    /**
     * The refs each secondary handed out, keyed by the primary's ref. Refs are private to the storage
     * that issued them, so a secondary must get its own ref back, not the primary's.
     */
    private readonly secondaryRefs: readonly RefIndex<SeriesRef>[],
  ) {}

  // Each method loops over the secondaries itself rather than through a shared helper taking a
  // callback: that would allocate a closure per sample on the hot path.

  /** The ref secondary `i` issued for the series the primary calls `ref`, or 0. */
  #known(i: number, ref: SeriesRef): SeriesRef {
    return ref === 0 ? 0 : (this.secondaryRefs[i]!.get(ref) ?? 0);
  }

  /** Remembers the ref secondary `i` returned, when it is new. */
  #remember(i: number, primaryRef: SeriesRef, known: SeriesRef, sref: SeriesRef): void {
    if (primaryRef !== 0 && sref !== 0 && sref !== known) {
      const refs = this.secondaryRefs[i]!;
      if (refs.size >= MAX_REMEMBERED_REFS) refs.clear();
      refs.set(primaryRef, sref);
    }
  }

  append(ref: SeriesRef, labels: Labels, timestampMs: number, value: number): SeriesRef {
    const r = this.primary.append(ref, labels, timestampMs, value);
    for (let i = 0; i < this.secondaries.length; i++) {
      const known = this.#known(i, ref);
      this.#remember(i, r, known, this.secondaries[i]!.append(known, labels, timestampMs, value));
    }
    return r;
  }

  appendStale(ref: SeriesRef, labels: Labels, timestampMs: number): SeriesRef {
    const r = this.primary.appendStale(ref, labels, timestampMs);
    for (let i = 0; i < this.secondaries.length; i++) {
      const known = this.#known(i, ref);
      this.#remember(i, r, known, this.secondaries[i]!.appendStale(known, labels, timestampMs));
    }
    return r;
  }

  appendExemplar(ref: SeriesRef, labels: Labels, exemplar: Exemplar): SeriesRef {
    const r = this.primary.appendExemplar(ref, labels, exemplar);
    for (let i = 0; i < this.secondaries.length; i++) {
      const known = this.#known(i, ref);
      this.#remember(i, r, known, this.secondaries[i]!.appendExemplar(known, labels, exemplar));
    }
    return r;
  }

  appendHistogram(
    ref: SeriesRef,
    labels: Labels,
    timestampMs: number,
    histogram: NativeHistogram,
  ): SeriesRef {
    const r = this.primary.appendHistogram(ref, labels, timestampMs, histogram);
    for (let i = 0; i < this.secondaries.length; i++) {
      const known = this.#known(i, ref);
      this.#remember(
        i,
        r,
        known,
        this.secondaries[i]!.appendHistogram(known, labels, timestampMs, histogram),
      );
    }
    return r;
  }

  updateMetadata(ref: SeriesRef, labels: Labels, metadata: Metadata): SeriesRef {
    const r = this.primary.updateMetadata(ref, labels, metadata);
    for (let i = 0; i < this.secondaries.length; i++) {
      const known = this.#known(i, ref);
      this.#remember(i, r, known, this.secondaries[i]!.updateMetadata(known, labels, metadata));
    }
    return r;
  }

  async commit(): Promise<void> {
    let error: unknown;
    let failed = false;
    try {
      await this.primary.commit();
    } catch (err) {
      error = err;
      failed = true;
    }
    for (const s of this.secondaries) {
      try {
        if (failed) await s.rollback();
        else await s.commit();
      } catch (err) {
        if (!failed) {
          error = err;
          failed = true;
        }
      }
    }
    if (failed) throw error;
  }

  async rollback(): Promise<void> {
    let error: unknown;
    let failed = false;
    for (const a of [this.primary, ...this.secondaries]) {
      try {
        await a.rollback();
      } catch (err) {
        if (!failed) {
          error = err;
          failed = true;
        }
      }
    }
    if (failed) throw error;
  }
}
