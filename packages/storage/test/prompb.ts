/**
 * A protobufjs schema of the remote write 1.0 messages, written for the tests (an independent decoder
 * to check the hand-written encoder against) and for the encoder benchmark. Field numbers follow the
 * table in prometheus-scrape-reference.md §6.2.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package prometheus;

message WriteRequest {
  repeated TimeSeries timeseries = 1;
  repeated MetricMetadata metadata = 3;
}
message MetricMetadata {
  enum MetricType {
    UNKNOWN = 0; COUNTER = 1; GAUGE = 2; HISTOGRAM = 3; GAUGEHISTOGRAM = 4; SUMMARY = 5; INFO = 6; STATESET = 7;
  }
  MetricType type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}
message Sample { double value = 1; int64 timestamp = 2; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message BucketSpan { sint32 offset = 1; uint32 length = 2; }
message Histogram {
  enum ResetHint { UNKNOWN = 0; YES = 1; NO = 2; GAUGE = 3; }
  oneof count { uint64 count_int = 1; double count_float = 2; }
  double sum = 3;
  sint32 schema = 4;
  double zero_threshold = 5;
  oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
  repeated BucketSpan negative_spans = 8;
  repeated sint64 negative_deltas = 9;
  repeated double negative_counts = 10;
  repeated BucketSpan positive_spans = 11;
  repeated sint64 positive_deltas = 12;
  repeated double positive_counts = 13;
  ResetHint reset_hint = 14;
  int64 timestamp = 15;
  repeated double custom_values = 16;
}
message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
  repeated Exemplar exemplars = 3;
  repeated Histogram histograms = 4;
}
message Label { string name = 1; string value = 2; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: false }).root;

/** The `prometheus.WriteRequest` type. */
export const WriteRequestType = root.lookupType('prometheus.WriteRequest');

export interface DecodedSample {
  value: number;
  timestamp: number;
  /** The raw 8 bytes of the value as a hex string, to check NaN payloads. */
  bits: string;
}

export interface DecodedSeries {
  labels: Record<string, string>;
  samples: DecodedSample[];
  exemplars: { labels: Record<string, string>; value: number; timestamp: number }[];
  histograms: Record<string, unknown>[];
}

export interface DecodedRequest {
  timeseries: DecodedSeries[];
  metadata: { type: string; metricFamilyName: string; help: string; unit: string }[];
}

function toNumber(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  return Number(String(v));
}

/**
 * Decodes an uncompressed WriteRequest into plain objects. Sample values' raw bits are recovered by
 * re-reading the buffer, since protobufjs returns JS numbers (whose NaN payload is not reliable).
 */
export function decodeWriteRequest(body: Uint8Array): DecodedRequest {
  const msg = WriteRequestType.decode(body);
  const obj = WriteRequestType.toObject(msg, {
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  }) as {
    timeseries: {
      labels: { name: string; value: string }[];
      samples: { value: number; timestamp: string }[];
      exemplars: { labels: { name: string; value: string }[]; value: number; timestamp: string }[];
      histograms: Record<string, unknown>[];
    }[];
    metadata: { type: string; metricFamilyName: string; help: string; unit: string }[];
  };
  const bits = sampleBits(body);
  let k = 0;
  return {
    timeseries: obj.timeseries.map((ts) => ({
      labels: Object.fromEntries(ts.labels.map((l) => [l.name, l.value])),
      samples: ts.samples.map((s) => ({
        value: s.value,
        timestamp: toNumber(s.timestamp),
        bits: bits[k++]!,
      })),
      exemplars: ts.exemplars.map((e) => ({
        labels: Object.fromEntries(e.labels.map((l) => [l.name, l.value])),
        value: e.value,
        timestamp: toNumber(e.timestamp),
      })),
      histograms: ts.histograms,
    })),
    metadata: obj.metadata,
  };
}

/** Walks the raw message and returns the hex bits of every Sample.value, in order. */
function sampleBits(body: Uint8Array): string[] {
  const out: string[] = [];
  const r = protobuf.Reader.create(body);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1) {
      r.skipType(tag & 7);
      continue;
    }
    const end = r.uint32() + r.pos;
    while (r.pos < end) {
      const t2 = r.uint32();
      if (t2 >>> 3 !== 2) {
        r.skipType(t2 & 7);
        continue;
      }
      const sEnd = r.uint32() + r.pos;
      let hex = '';
      while (r.pos < sEnd) {
        const t3 = r.uint32();
        if (t3 === 0x09) {
          const bytes = body.subarray(r.pos, r.pos + 8);
          hex = Buffer.from(bytes).reverse().toString('hex');
          r.skip(8);
        } else r.skipType(t3 & 7);
      }
      out.push(hex);
    }
  }
  return out;
}
