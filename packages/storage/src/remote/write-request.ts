import type { Labels } from '@scrapewire/model';
import type { Exemplar, MetricType, NativeHistogram } from '../appender.js';
import { ItemBatch } from './item-batch.js';
import { ProtoWriter, utf8Size, varintSize, zigzag } from './proto-writer.js';

/**
 * Encoding of the remote write 1.0 `prometheus.WriteRequest` (`prompb/remote.proto`, `types.proto`).
 * Field numbers are given at each tag; a tag byte is `(field << 3) | wireType`.
 */

/** A series as the queue holds it: its final labels and those labels already encoded. */
export interface EncodedSeries {
  readonly labels: Labels;
  /** The `TimeSeries.labels` fields (tag, length, `Label`) for every label, encoded once per series. */
  readonly labelBytes: Uint8Array;
}

/**
 * @internal An {@link EncodedSeries} that keeps its label bytes as a latin1 string, one char per byte.
 *
 * Why: remote write keeps one of these per series for as long as the series lives (~100k in the agent).
 * A `Uint8Array` costs a typed-array object, an `ArrayBuffer` object and an off-heap backing store with
 * its own allocation; a one-byte string is one compact heap object. Writing it into the request with
 * `latin1Write` is a plain copy, a few tens of ns slower per sample than `Uint8Array#set` (measured,
 * docs/benchmarks.d/storage.md), for about 200 bytes less per series.
 */
export class BinarySeries implements EncodedSeries {
  /**
   * Scratch for {@link encodeWriteRequest}: this series' group index in the request being encoded,
   * valid only while that request's group list holds this series at that index. Saves a map lookup per
   * sample, ~30 ns (measured), for 8 bytes per series.
   */
  groupSlot = -1;

  constructor(
    readonly labels: Labels,
    /** The label bytes, see {@link encodeLabelsBinary}. */
    readonly labelBin: string,
  ) {}

  /** A copy of the label bytes, for code written against {@link EncodedSeries}. */
  get labelBytes(): Uint8Array {
    return Buffer.from(this.labelBin, 'latin1');
  }
}

/** One item waiting to be sent. */
export interface QueueItem {
  readonly series: EncodedSeries;
  readonly kind: 'sample' | 'stale' | 'histogram' | 'exemplar';
  readonly timestampMs: number;
  /** The float value of a sample or exemplar; ignored for stale markers and histograms. */
  readonly value: number;
  readonly histogram?: NativeHistogram;
  readonly exemplar?: Exemplar;
}

/** One `MetricMetadata` entry. */
export interface MetadataEntry {
  readonly familyName: string;
  readonly type: MetricType;
  readonly help: string;
  readonly unit: string;
}

const METRIC_TYPE_ENUM: Record<MetricType, number> = {
  unknown: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  gaugehistogram: 4,
  summary: 5,
  info: 6,
  stateset: 7,
};

const RESET_HINT_ENUM = { unknown: 0, reset: 1, 'not-reset': 2, gauge: 3 } as const;

/** Encodes the `Label` fields of a label set, as repeated field 1 of a `TimeSeries` or `Exemplar`. */
export function encodeLabels(labels: Labels): Uint8Array {
  const w = new ProtoWriter(64);
  writeLabels(w, labels);
  return Uint8Array.from(w.finish());
}

/** One writer reused for every series' labels: encoding them is synchronous and its result is copied. */
const labelScratch = new ProtoWriter(256);

/** {@link encodeLabels} as a latin1 string, one char per byte (what {@link BinarySeries} holds). */
export function encodeLabelsBinary(labels: Labels): string {
  labelScratch.pos = 0;
  writeLabels(labelScratch, labels);
  return labelScratch.buf.toString('latin1', 0, labelScratch.pos);
}

function writeLabels(w: ProtoWriter, labels: Labels): void {
  const flat = labels.toFlat();
  for (let i = 0; i < flat.length; i += 2) {
    const n = flat[i]!;
    const v = flat[i + 1]!;
    const nl = utf8Size(n);
    const vl = utf8Size(v);
    w.byte(0x0a); // TimeSeries.labels / Exemplar.labels = 1, length-delimited
    w.varint(1 + varintSize(nl) + nl + 1 + varintSize(vl) + vl);
    w.byte(0x0a); // Label.name = 1
    w.string(n);
    w.byte(0x12); // Label.value = 2
    w.string(v);
  }
}

function writeSpans(w: ProtoWriter, tag: number, spans: NativeHistogram['positiveSpans']): void {
  for (const s of spans) {
    w.message(tag, (m) => {
      m.byte(0x08); // BucketSpan.offset = 1, sint32
      m.varint(zigzag(s.offset));
      m.byte(0x10); // BucketSpan.length = 2, uint32
      m.varint(s.length);
    });
  }
}

function writePackedSint(w: ProtoWriter, tag: number, values: readonly number[]): void {
  if (values.length === 0) return;
  w.message(tag, (m) => {
    for (const v of values) m.varint(zigzag(v));
  });
}

function writePackedDouble(w: ProtoWriter, tag: number | readonly number[], values: readonly number[]): void {
  if (values.length === 0) return;
  const w2 = new ProtoWriter(8 * values.length + 4);
  for (const v of values) w2.double(v);
  if (typeof tag === 'number') w.byte(tag);
  else for (const b of tag) w.byte(b);
  w.varint(w2.pos);
  w.raw(w2.finish());
}

/** Encodes one `Histogram` message body. */
function writeHistogram(w: ProtoWriter, h: NativeHistogram, timestampMs: number): void {
  if (h.kind === 'int') {
    w.byte(0x08); // count_int = 1
    w.varint(h.count);
  } else {
    w.byte(0x11); // count_float = 2
    w.double(h.count);
  }
  w.byte(0x19); // sum = 3
  w.double(h.sum);
  w.byte(0x20); // schema = 4, sint32
  w.varint(zigzag(h.schema));
  w.byte(0x29); // zero_threshold = 5
  w.double(h.zeroThreshold);
  if (h.kind === 'int') {
    w.byte(0x30); // zero_count_int = 6
    w.varint(h.zeroCount);
  } else {
    w.byte(0x39); // zero_count_float = 7
    w.double(h.zeroCount);
  }
  writeSpans(w, 0x42, h.negativeSpans); // negative_spans = 8
  if (h.kind === 'int')
    writePackedSint(w, 0x4a, h.negativeDeltas); // negative_deltas = 9
  else writePackedDouble(w, 0x52, h.negativeCounts); // negative_counts = 10
  writeSpans(w, 0x5a, h.positiveSpans); // positive_spans = 11
  if (h.kind === 'int')
    writePackedSint(w, 0x62, h.positiveDeltas); // positive_deltas = 12
  else writePackedDouble(w, 0x6a, h.positiveCounts); // positive_counts = 13
  const hint = RESET_HINT_ENUM[h.counterResetHint];
  if (hint !== 0) {
    w.byte(0x70); // reset_hint = 14
    w.varint(hint);
  }
  w.byte(0x78); // timestamp = 15
  w.varint(timestampMs);
  // custom_values = 16: the tag needs two varint bytes (0x82 0x01).
  if (h.customValues && h.customValues.length > 0) writePackedDouble(w, [0x82, 0x01], h.customValues);
}

function writeExemplar(w: ProtoWriter, e: Exemplar): void {
  writeLabels(w, e.labels); // labels = 1
  w.byte(0x11); // value = 2
  if (Number.isNaN(e.value)) w.fixed64Bits(0x7ff80000, 0x00000001);
  else w.double(e.value);
  if (e.timestampMs !== undefined) {
    w.byte(0x18); // timestamp = 3
    w.varint(e.timestampMs);
  }
}

/** Size of a `TimeSeries.samples` field holding one float sample: tag, length, value, timestamp. */
function sampleFieldSize(timestampMs: number): number {
  return 2 + 10 + varintSize(timestampMs);
}

type Latin1Writer = Buffer & { latin1Write?(s: string, offset: number, length?: number): number };

/**
 * Copies a one-byte string into `out` at `pos`; returns the bytes written. `latin1Write` is what
 * `buf.write(s, pos, 'latin1')` calls after dispatching on the encoding name, which costs ~30 ns a call
 * on the per-sample path; it is not in Node's typings, so fall back to `write` where it is missing.
 */
function writeLatin1(out: Latin1Writer, s: string, pos: number): number {
  return out.latin1Write ? out.latin1Write(s, pos, s.length) : out.write(s, pos, s.length, 'latin1');
}

function labelsSize(s: EncodedSeries): number {
  return s instanceof BinarySeries ? s.labelBin.length : s.labelBytes.length;
}

function putLabels(out: Buffer, pos: number, s: EncodedSeries): number {
  if (s instanceof BinarySeries) return pos + writeLatin1(out, s.labelBin, pos);
  const b = s.labelBytes;
  out.set(b, pos);
  return pos + b.length;
}

/** Writes a varint at `pos`, returns the position after it; see {@link ProtoWriter.varint}. */
function putVarint(out: Buffer, pos: number, n: number): number {
  if (n < 0) {
    let b = BigInt.asUintN(64, BigInt(n));
    while (b >= 128n) {
      out[pos++] = Number(b & 127n) | 128;
      b >>= 7n;
    }
    out[pos++] = Number(b);
    return pos;
  }
  // Above 31 bits, divide (exact below 2^53); below, shift.
  while (n > 0x7fffffff) {
    out[pos++] = (n & 127) | 128;
    n = Math.floor(n / 128);
  }
  while (n > 127) {
    out[pos++] = (n & 127) | 128;
    n >>>= 7;
  }
  out[pos++] = n;
  return pos;
}

/**
 * Encodes a `WriteRequest` with the given items (grouped into one `TimeSeries` per series in order of
 * first appearance, each series' items kept in order) and metadata.
 *
 * Float samples, the bulk of any request, are sized and then written straight into one exactly-sized
 * buffer, with no writer object or bounds check per field; exemplars and histograms go through a
 * scratch writer. Grouping needs no object or array per series: a {@link BinarySeries} remembers its
 * group index, and the item indices are put in group order by a stable counting sort into typed arrays.
 */
export function encodeWriteRequest(
  items: readonly QueueItem[],
  metadata: readonly MetadataEntry[] = [],
): Uint8Array {
  return encodeBatch(ItemBatch.from(items), metadata);
}

/**
 * Work arrays of {@link encodeBatch}, kept between calls (it is synchronous, so never re-entered) and
 * grown to the largest batch: the queue encodes tens of requests a second, and fresh arrays per request
 * were a good part of its garbage.
 */
const scratch = {
  itemGroup: new Int32Array(0),
  order: new Int32Array(0),
  start: new Int32Array(0),
  next: new Int32Array(0),
  seriesSizes: new Float64Array(0),
};

/** An Int32Array of at least `n` elements (contents undefined). */
function int32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  return a.length >= n ? a : new Int32Array(Math.max(n, a.length * 2));
}

/**
 * The output buffer of {@link encodeBatch} when asked for a transient result: the queue compresses each
 * encoded request at once and never reads it again, so one buffer, grown to the largest request, serves
 * them all instead of a fresh ~100 KB buffer per request outside the V8 heap.
 */
let transientOut: Buffer = Buffer.alloc(0);

/**
 * @internal {@link encodeWriteRequest} of items in columns, as the queue holds them. With `transient`, the
 * result is a view of a shared buffer, valid only until the next call: the caller must be done with it first.
 */
export function encodeBatch(
  items: ItemBatch,
  metadata: readonly MetadataEntry[] = [],
  transient = false,
): Uint8Array {
  const n = items.length;
  const { series, kind: kinds, timestampMs, value: values, extra } = items;
  const groupSeries: EncodedSeries[] = [];
  // Only for series that are not BinarySeries (tests, other callers); those carry their own slot.
  let groupOf: Map<EncodedSeries, number> | undefined;
  scratch.itemGroup = int32(scratch.itemGroup, n);
  const itemGroup = scratch.itemGroup;
  for (let i = 0; i < n; i++) {
    const s = series[i]!;
    let g: number | undefined;
    if (s instanceof BinarySeries) {
      g = s.groupSlot;
      if (!(g >= 0 && g < groupSeries.length && groupSeries[g] === s)) {
        g = groupSeries.length;
        s.groupSlot = g;
        groupSeries.push(s);
      }
    } else {
      groupOf ??= new Map();
      g = groupOf.get(s);
      if (g === undefined) {
        g = groupSeries.length;
        groupOf.set(s, g);
        groupSeries.push(s);
      }
    }
    itemGroup[i] = g;
  }
  const groups = groupSeries.length;
  // order[start[g] .. start[g + 1]) are the indices of group g's items, in their original order.
  scratch.start = int32(scratch.start, groups + 1);
  const start = scratch.start;
  start.fill(0, 0, groups + 1);
  for (let i = 0; i < n; i++) start[itemGroup[i]! + 1]!++;
  for (let g = 0; g < groups; g++) start[g + 1]! += start[g]!;
  scratch.order = int32(scratch.order, n);
  const order = scratch.order;
  scratch.next = int32(scratch.next, groups);
  const next = scratch.next;
  next.set(start.subarray(0, groups));
  for (let i = 0; i < n; i++) order[next[itemGroup[i]!]!++] = i;

  // Pass 1: size. Exemplars and histograms are encoded now, their bytes reused in pass 2.
  let othersBytes: Map<number, Uint8Array[]> | undefined;
  if (scratch.seriesSizes.length < groups) {
    scratch.seriesSizes = new Float64Array(Math.max(groups, scratch.seriesSizes.length * 2));
  }
  const seriesSizes = scratch.seriesSizes;
  let total = 0;
  for (let g = 0; g < groups; g++) {
    let size = labelsSize(groupSeries[g]!);
    let hasOthers = false;
    for (let k = start[g]!; k < start[g + 1]!; k++) {
      const i = order[k]!;
      const kind = kinds[i];
      if (kind === 'sample' || kind === 'stale') size += sampleFieldSize(timestampMs[i]!);
      else hasOthers = true;
    }
    if (hasOthers) {
      const encoded: Uint8Array[] = [];
      // Exemplars are field 3 and histograms field 4 of TimeSeries; within each kind, order is kept.
      for (const kind of ['exemplar', 'histogram'] as const) {
        for (let k = start[g]!; k < start[g + 1]!; k++) {
          const i = order[k]!;
          if (kinds[i] !== kind) continue;
          const sub = new ProtoWriter(64);
          if (kind === 'exemplar') sub.message(0x1a, (m) => writeExemplar(m, extra[i] as Exemplar));
          else sub.message(0x22, (m) => writeHistogram(m, extra[i] as NativeHistogram, timestampMs[i]!));
          const bytes = sub.finish();
          encoded.push(bytes);
          size += bytes.length;
        }
      }
      othersBytes ??= new Map();
      othersBytes.set(g, encoded);
    }
    seriesSizes[g] = size;
    total += 1 + varintSize(size) + size;
  }
  const metaBytes = metadata.length > 0 ? encodeMetadata(metadata) : undefined;
  if (metaBytes) total += metaBytes.length;

  // Pass 2: write.
  let out: Buffer;
  if (transient) {
    if (transientOut.length < total)
      transientOut = Buffer.allocUnsafeSlow(Math.max(total, transientOut.length * 2));
    out = transientOut.subarray(0, total);
  } else {
    out = Buffer.allocUnsafe(total);
  }
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let pos = 0;
  for (let g = 0; g < groups; g++) {
    out[pos++] = 0x0a; // WriteRequest.timeseries = 1
    pos = putVarint(out, pos, seriesSizes[g]!);
    pos = putLabels(out, pos, groupSeries[g]!);
    for (let k = start[g]!; k < start[g + 1]!; k++) {
      const i = order[k]!;
      const kind = kinds[i];
      if (kind !== 'sample' && kind !== 'stale') continue;
      const ts = timestampMs[i]!;
      const v = values[i]!;
      out[pos++] = 0x12; // TimeSeries.samples = 2
      out[pos++] = 10 + varintSize(ts); // always one byte: at most 20
      out[pos++] = 0x09; // Sample.value = 1, fixed64
      // A staleness marker goes out with the exact bits 0x7ff0000000000002, which a JS NaN cannot
      // carry; any other NaN as Prometheus's normal NaN 0x7ff8000000000001, as its parsers produce.
      if (kind === 'stale') {
        view.setUint32(pos, 0x00000002, true);
        view.setUint32(pos + 4, 0x7ff00000, true);
      } else if (Number.isNaN(v)) {
        view.setUint32(pos, 0x00000001, true);
        view.setUint32(pos + 4, 0x7ff80000, true);
      } else view.setFloat64(pos, v, true);
      pos += 8;
      out[pos++] = 0x10; // Sample.timestamp = 2, varint
      pos = putVarint(out, pos, ts);
    }
    const others = othersBytes?.get(g);
    if (others) {
      for (const b of others) {
        out.set(b, pos);
        pos += b.length;
      }
    }
  }
  if (metaBytes) {
    out.set(metaBytes, pos);
    pos += metaBytes.length;
  }
  if (pos !== total) throw new Error(`encodeWriteRequest: wrote ${pos} bytes, sized ${total}`);
  return out;
}

function encodeMetadata(metadata: readonly MetadataEntry[]): Uint8Array {
  const w = new ProtoWriter(64 * metadata.length);
  for (const m of metadata) {
    w.message(0x1a, (x) => {
      // WriteRequest.metadata = 3
      const type = METRIC_TYPE_ENUM[m.type] ?? 0;
      if (type !== 0) {
        x.byte(0x08); // type = 1
        x.varint(type);
      }
      x.byte(0x12); // metric_family_name = 2
      x.string(m.familyName);
      if (m.help !== '') {
        x.byte(0x22); // help = 4
        x.string(m.help);
      }
      if (m.unit !== '') {
        x.byte(0x2a); // unit = 5
        x.string(m.unit);
      }
    });
  }
  return w.finish();
}
