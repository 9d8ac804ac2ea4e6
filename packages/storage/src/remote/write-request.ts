import type { Labels } from '@scrapewire/model';
import type { Exemplar, MetricType, NativeHistogram } from '../appender.js';
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

/**
 * Writes a sample value. A staleness marker goes out with the exact bits 0x7ff0000000000002 written
 * through a DataView, since a JS NaN cannot carry that payload; any other NaN is sent as Prometheus's
 * normal NaN 0x7ff8000000000001, as its parsers produce.
 */
function writeValue(w: ProtoWriter, kind: QueueItem['kind'], value: number): void {
  if (kind === 'stale') w.fixed64Bits(0x7ff00000, 0x00000002);
  else if (Number.isNaN(value)) w.fixed64Bits(0x7ff80000, 0x00000001);
  else w.double(value);
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

interface SeriesGroup {
  readonly series: EncodedSeries;
  readonly samples: QueueItem[];
  readonly others: QueueItem[];
}

/**
 * Encodes a `WriteRequest` with the given items (grouped into one `TimeSeries` per series, each
 * series' items kept in order) and metadata. Float samples, the bulk of any request, are sized and
 * written inline into one exactly-sized buffer; exemplars and histograms go through a scratch writer.
 */
export function encodeWriteRequest(
  items: readonly QueueItem[],
  metadata: readonly MetadataEntry[] = [],
): Uint8Array {
  const groups = new Map<EncodedSeries, SeriesGroup>();
  for (const it of items) {
    let g = groups.get(it.series);
    if (!g) {
      g = { series: it.series, samples: [], others: [] };
      groups.set(it.series, g);
    }
    if (it.kind === 'sample' || it.kind === 'stale') g.samples.push(it);
    else g.others.push(it);
  }

  // Pass 1: size. Exemplars and histograms are encoded now, their bytes reused in pass 2.
  const othersBytes = new Map<SeriesGroup, Uint8Array[]>();
  const seriesSizes: number[] = [];
  let total = 0;
  for (const g of groups.values()) {
    let size = g.series.labelBytes.length;
    for (const s of g.samples) {
      const body = 9 + 1 + varintSize(s.timestampMs);
      size += 1 + varintSize(body) + body;
    }
    if (g.others.length > 0) {
      const encoded: Uint8Array[] = [];
      // Exemplars are field 3 and histograms field 4 of TimeSeries; within each kind, order is kept.
      for (const kind of ['exemplar', 'histogram'] as const) {
        for (const it of g.others) {
          if (it.kind !== kind) continue;
          const sub = new ProtoWriter(64);
          if (kind === 'exemplar') sub.message(0x1a, (m) => writeExemplar(m, it.exemplar!));
          else sub.message(0x22, (m) => writeHistogram(m, it.histogram!, it.timestampMs));
          const bytes = sub.finish();
          encoded.push(bytes);
          size += bytes.length;
        }
      }
      othersBytes.set(g, encoded);
    }
    seriesSizes.push(size);
    total += 1 + varintSize(size) + size;
  }
  const metaBytes = metadata.length > 0 ? encodeMetadata(metadata) : undefined;
  if (metaBytes) total += metaBytes.length;

  // Pass 2: write.
  const w = new ProtoWriter(total);
  let i = 0;
  for (const g of groups.values()) {
    w.byte(0x0a); // WriteRequest.timeseries = 1
    w.varint(seriesSizes[i++]!);
    w.raw(g.series.labelBytes);
    for (const s of g.samples) {
      w.byte(0x12); // TimeSeries.samples = 2
      w.varint(9 + 1 + varintSize(s.timestampMs));
      w.byte(0x09); // Sample.value = 1, fixed64
      writeValue(w, s.kind, s.value);
      w.byte(0x10); // Sample.timestamp = 2, varint
      w.varint(s.timestampMs);
    }
    const others = othersBytes.get(g);
    if (others) for (const b of others) w.raw(b);
  }
  if (metaBytes) w.raw(metaBytes);
  return w.finish();
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
