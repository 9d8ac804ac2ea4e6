import { Labels } from '@scrapewire/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ItemKind, ItemBatch, ItemRing } from './item-batch.js';
import { encodeLabels, type QueueItem } from './write-request.js';

const labels = Labels.from({ __name__: 'x' });
const series = { labels, labelBytes: encodeLabels(labels) };
const KINDS: ItemKind[] = ['sample', 'stale', 'exemplar', 'histogram'];

/** Item `i` of a batch as a plain tuple, to compare with a model. */
function row(b: ItemBatch, i: number): [ItemKind, number, number, number] {
  return [b.kind[i]!, b.timestampMs[i]!, b.value[i]!, b.hash[i]!];
}
const rows = (b: ItemBatch) => Array.from({ length: b.length }, (_, i) => row(b, i));

describe('ItemBatch', () => {
  it('grows past its initial capacity, keeps order, and clears to be reused', () => {
    const b = new ItemBatch(2);
    for (let i = 0; i < 50; i++) b.push(series, KINDS[i % 4]!, 1000 + i, i / 2, undefined, i * 7);
    expect(b.length).toBe(50);
    expect(rows(b)).toEqual(Array.from({ length: 50 }, (_, i) => [KINDS[i % 4], 1000 + i, i / 2, i * 7]));
    b.clear();
    expect(b.length).toBe(0);
    // Cleared slots no longer pin their series or exemplars.
    expect(b.series.every((s) => s === undefined)).toBe(true);
    b.push(series, 'stale', 5, Number.NaN, undefined, 1);
    expect(rows(b)).toEqual([['stale', 5, Number.NaN, 1]]);
  });

  it('keeps the histogram or exemplar of a QueueItem by its kind', () => {
    const exemplar = { labels: Labels.from({ trace_id: 'a' }), value: 1 };
    const items: QueueItem[] = [
      { series, kind: 'exemplar', timestampMs: 1, value: 1, exemplar },
      { series, kind: 'sample', timestampMs: 2, value: 2, exemplar },
    ];
    const b = ItemBatch.from(items);
    expect(b.extra.slice(0, 2)).toEqual([exemplar, undefined]);
  });
});

describe('ItemRing', () => {
  it('shrinks its columns after a burst is drained, keeping the items in order', () => {
    const ring = new ItemRing(1_000_000);
    const push = (from: number, to: number) => {
      for (let n = from; n < to; n++) ring.push(series, 'sample', n, n * 2, undefined, n % 7);
    };
    push(0, 50_000);
    expect(ring.slots).toBeGreaterThanOrEqual(50_000);
    // Drained to under an eighth: the columns shrink to a few times what is left (not below 4096).
    expect(rows(ring.take(48_000)).map((r) => r[1])).toEqual(Array.from({ length: 48_000 }, (_, i) => i));
    expect(ring.slots).toBeLessThanOrEqual(8192);
    push(50_000, 60_000); // grows again from there
    const rest = rows(ring.take(ring.length));
    expect(rest.map((r) => r[1])).toEqual(Array.from({ length: 12_000 }, (_, i) => 48_000 + i));
    expect(rest.every((r) => r[2] === r[1] * 2 && r[3] === r[1] % 7)).toBe(true);
    expect(ring.slots).toBe(4096);
  });

  it('behaves like a bounded FIFO that drops its oldest (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(
          fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 10, max: 50 })),
          {
            maxLength: 300,
          },
        ),
        (capacity, ops) => {
          const ring = new ItemRing(capacity);
          const model: [ItemKind, number, number, number][] = [];
          let n = 0;
          for (const op of ops) {
            if (op === -1) {
              // Drop the oldest explicitly.
              const dropped = ring.dropOldest();
              expect(dropped).toBe(model.shift()?.[0]);
            } else if (op >= 10) {
              // Take a batch of up to op - 10 items.
              const want = op - 10;
              expect(rows(ring.take(want))).toEqual(model.splice(0, want));
            } else {
              n++;
              const item: [ItemKind, number, number, number] = [KINDS[op]!, n, n * 1.5, n % 5];
              const dropped = ring.push(series, item[0], item[1], item[2], undefined, item[3]);
              model.push(item);
              expect(dropped).toBe(model.length > capacity ? model.shift()![0] : undefined);
            }
            expect(ring.length).toBe(model.length);
          }
          expect(rows(ring.take(ring.length))).toEqual(model);
        },
      ),
      { numRuns: 300 },
    );
  });
});
