import { Labels } from '@scrapewire/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWriteRequest } from '../../test/prompb.js';
import { snappyCompress, snappyUncompress } from './compress.js';
import { ItemBatch } from './item-batch.js';
import {
  BinarySeries,
  type EncodedSeries,
  encodeBatch,
  encodeLabels,
  encodeLabelsBinary,
  encodeWriteRequest,
  type QueueItem,
} from './write-request.js';

const series = (o: Record<string, string>) => {
  const labels = Labels.from(o);
  return { labels, labelBytes: encodeLabels(labels) };
};

describe('encodeWriteRequest', () => {
  it('encodes a transient request into one reused buffer, byte for byte as an owned one', () => {
    const a = series({ __name__: 'up', job: 'a' });
    const small = ItemBatch.from([{ series: a, kind: 'sample', timestampMs: 1, value: 1 }]);
    const large = ItemBatch.from(
      Array.from({ length: 500 }, (_, i) => ({
        series: a,
        kind: 'sample' as const,
        timestampMs: i,
        value: i,
      })),
    );
    const owned = encodeBatch(large);
    const first = encodeBatch(large, [], true);
    expect(Buffer.from(first).equals(Buffer.from(owned))).toBe(true);
    const copy = Buffer.from(first);
    // The next transient request reuses the memory (so the previous view is overwritten) ...
    const second = encodeBatch(small, [], true);
    expect(second.buffer).toBe(first.buffer);
    expect(Buffer.from(second).equals(Buffer.from(encodeBatch(small)))).toBe(true);
    // ... while an owned result is never shared.
    expect(encodeBatch(large).buffer).not.toBe(owned.buffer);
    expect(Buffer.from(owned).equals(copy)).toBe(true);
  });

  it('encodes series, samples in order and labels sorted, decodable by protobufjs', () => {
    const a = series({ __name__: 'up', job: 'a', instance: 'h:1' });
    const b = series({ __name__: 'temp', room: 'küche' });
    const items: QueueItem[] = [
      { series: a, kind: 'sample', timestampMs: 1_700_000_000_000, value: 1 },
      { series: b, kind: 'sample', timestampMs: 1_700_000_000_001, value: -21.5 },
      { series: a, kind: 'sample', timestampMs: 1_700_000_015_000, value: 0 },
    ];
    const d = decodeWriteRequest(encodeWriteRequest(items));
    expect(d.timeseries.map((t) => t.labels)).toEqual([
      { __name__: 'up', instance: 'h:1', job: 'a' },
      { __name__: 'temp', room: 'küche' },
    ]);
    expect(d.timeseries[0]!.samples.map((s) => [s.timestamp, s.value])).toEqual([
      [1_700_000_000_000, 1],
      [1_700_000_015_000, 0],
    ]);
    expect(d.timeseries[1]!.samples.map((s) => [s.timestamp, s.value])).toEqual([[1_700_000_000_001, -21.5]]);
  });

  it('writes stale markers with the exact bits 0x7ff0000000000002 and other NaNs as 0x7ff8000000000001', () => {
    const a = series({ __name__: 'up' });
    const d = decodeWriteRequest(
      encodeWriteRequest([
        { series: a, kind: 'sample', timestampMs: 1, value: Number.NaN },
        { series: a, kind: 'stale', timestampMs: 2, value: Number.NaN },
        { series: a, kind: 'sample', timestampMs: 3, value: 1 },
      ]),
    );
    expect(d.timeseries[0]!.samples.map((s) => s.bits)).toEqual([
      '7ff8000000000001',
      '7ff0000000000002',
      '3ff0000000000000',
    ]);
  });

  it('encodes negative timestamps as 10-byte varints', () => {
    const a = series({ __name__: 'x' });
    const d = decodeWriteRequest(
      encodeWriteRequest([{ series: a, kind: 'sample', timestampMs: -5000, value: 2 }]),
    );
    expect(d.timeseries[0]!.samples[0]!.timestamp).toBe(-5000);
  });

  it('encodes exemplars, integer and float native histograms and metadata', () => {
    const a = series({ __name__: 'req_total' });
    const h = series({ __name__: 'lat' });
    const d = decodeWriteRequest(
      encodeWriteRequest(
        [
          { series: a, kind: 'sample', timestampMs: 10, value: 3 },
          {
            series: a,
            kind: 'exemplar',
            timestampMs: 9,
            value: 0.5,
            exemplar: { labels: Labels.from({ trace_id: 'abc' }), value: 0.5, timestampMs: 9 },
          },
          {
            series: h,
            kind: 'histogram',
            timestampMs: 20,
            value: Number.NaN,
            histogram: {
              kind: 'int',
              counterResetHint: 'not-reset',
              schema: -2,
              zeroThreshold: 0.001,
              zeroCount: 2,
              count: 7,
              sum: 12.5,
              positiveSpans: [{ offset: -1, length: 2 }],
              positiveDeltas: [3, -1],
              negativeSpans: [{ offset: 0, length: 1 }],
              negativeDeltas: [3],
            },
          },
          {
            series: h,
            kind: 'histogram',
            timestampMs: 30,
            value: Number.NaN,
            histogram: {
              kind: 'float',
              counterResetHint: 'gauge',
              schema: 3,
              zeroThreshold: 0,
              zeroCount: 0.5,
              count: 2.5,
              sum: -1,
              positiveSpans: [{ offset: 2, length: 1 }],
              positiveCounts: [2],
              negativeSpans: [],
              negativeCounts: [],
            },
          },
        ],
        [
          { familyName: 'req', type: 'counter', help: 'Requests.', unit: '' },
          { familyName: 'lat', type: 'histogram', help: '', unit: 'seconds' },
        ],
      ),
    );
    expect(d.timeseries[0]!.exemplars).toEqual([{ labels: { trace_id: 'abc' }, value: 0.5, timestamp: 9 }]);
    const [hi, hf] = d.timeseries[1]!.histograms as Record<string, unknown>[];
    expect(hi).toMatchObject({
      countInt: '7',
      sum: 12.5,
      schema: -2,
      zeroThreshold: 0.001,
      zeroCountInt: '2',
      positiveSpans: [{ offset: -1, length: 2 }],
      positiveDeltas: ['3', '-1'],
      negativeSpans: [{ offset: 0, length: 1 }],
      negativeDeltas: ['3'],
      resetHint: 'NO',
      timestamp: '20',
    });
    expect(hf).toMatchObject({
      countFloat: 2.5,
      sum: -1,
      schema: 3,
      zeroCountFloat: 0.5,
      positiveSpans: [{ offset: 2, length: 1 }],
      positiveCounts: [2],
      resetHint: 'GAUGE',
      timestamp: '30',
    });
    expect(d.metadata).toEqual([
      { type: 'COUNTER', metricFamilyName: 'req', help: 'Requests.', unit: '' },
      { type: 'HISTOGRAM', metricFamilyName: 'lat', help: '', unit: 'seconds' },
    ]);
  });

  it('keeps label bytes as a latin1 string that holds exactly the UTF-8 encoding', () => {
    const labels = Labels.from({ __name__: 'temp', room: 'küche', emoji: '🌡', long: 'x'.repeat(300) });
    const bin = encodeLabelsBinary(labels);
    expect(Buffer.from(bin, 'latin1')).toEqual(Buffer.from(encodeLabels(labels)));
    const s = new BinarySeries(labels, bin);
    expect(Buffer.from(s.labelBytes)).toEqual(Buffer.from(encodeLabels(labels)));
  });

  it('encodes series with latin1 label bytes exactly like Uint8Array ones, across requests', () => {
    const all = ['a', 'b', 'c', 'd'].map((n) => Labels.from({ __name__: n, room: 'küche' }));
    const plain = all.map((labels) => ({ labels, labelBytes: encodeLabels(labels) }));
    const binary = all.map((labels) => new BinarySeries(labels, encodeLabelsBinary(labels)));
    const request = (ss: readonly EncodedSeries[], order: readonly number[]) =>
      Buffer.from(
        encodeWriteRequest(
          order.map((k, i) => ({ series: ss[k]!, kind: 'sample', timestampMs: 1000 + i, value: i })),
        ),
      );
    // The same series objects go into several requests, in different orders and groupings, as the
    // queue's batches do; each request must group by series on its own.
    for (const order of [[0, 1, 2, 3, 0], [3, 3, 1], [1, 0, 1, 0, 2], [2], [0, 1, 2, 3, 3, 2, 1, 0]]) {
      expect(request(binary, order)).toEqual(request(plain, order));
      expect(decodeWriteRequest(request(binary, order)).timeseries).toHaveLength(new Set(order).size);
    }
  });

  it('encodes the empty request as zero bytes', () => {
    expect(encodeWriteRequest([]).length).toBe(0);
  });

  it('round-trips arbitrary labels, values and timestamps (property)', () => {
    const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/);
    fc.assert(
      fc.property(
        fc.dictionary(labelName, fc.string({ minLength: 1, maxLength: 40 }), { minKeys: 1, maxKeys: 8 }),
        fc.array(fc.tuple(fc.double({ noNaN: true }), fc.integer({ min: -1e15, max: 1e15 })), {
          minLength: 1,
          maxLength: 20,
        }),
        (labels, samples) => {
          const s = series(labels);
          const items: QueueItem[] = samples.map(([v, t]) => ({
            series: s,
            kind: 'sample',
            timestampMs: t,
            value: v,
          }));
          const body = snappyUncompress(snappyCompress(encodeWriteRequest(items)));
          const d = decodeWriteRequest(body);
          expect(d.timeseries[0]!.labels).toEqual(s.labels.toObject());
          expect(d.timeseries[0]!.samples.map((x) => [x.value, x.timestamp])).toEqual(
            samples.map(([v, t]) => [v, t]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
  it('groups interleaved series in order of first appearance, request after request (property)', () => {
    const pool = [0, 1, 2, 3, 4].map((k) => series({ __name__: 'm', k: String(k) }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1e12 })), {
          minLength: 1,
          maxLength: 60,
        }),
        (picks) => {
          const items: QueueItem[] = picks.map(([k, t]) => ({
            series: pool[k]!,
            kind: 'sample',
            timestampMs: t,
            value: k,
          }));
          const expected = new Map<number, number[]>();
          for (const [k, t] of picks) expected.set(k, [...(expected.get(k) ?? []), t]);
          const d = decodeWriteRequest(encodeWriteRequest(items));
          expect(d.timeseries.map((ts) => [Number(ts.labels.k), ts.samples.map((x) => x.timestamp)])).toEqual(
            [...expected],
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
