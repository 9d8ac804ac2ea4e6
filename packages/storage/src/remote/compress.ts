/// <reference path="./snappyjs.d.ts" />
import snappyjs from 'snappyjs';
import { SnappyCompressor } from './snappy-compress.js';

/**
 * One compressor for the process (per thread): compression is synchronous, so calls never interleave,
 * and its hash table and scratch buffer are reused by every request.
 */
const compressor = new SnappyCompressor();

/**
 * Snappy block-format compression of a remote write body. Returns a new exact-size array the caller
 * owns (the queue keeps it for retries while later requests are compressed).
 *
 * Hand-written (./snappy-compress.ts) since measurement showed the library path was a hot spot: in the
 * agent benchmark (~51 requests/s of ~93 KB protobuf, 2000 samples each) snappyjs cost ~280 µs per
 * request, ~12 % of the busy main thread, and allocated an output buffer of the maximum compressed
 * length plus a hash table per 64 KiB block on every call: garbage outside the V8 heap that inflates
 * RSS. Ours reuses both; outside the V8 heap it allocates only the compressed bytes. Measured with
 * bench/remote-write-encode.bench.ts (Node 20, 93,420-byte body, quiet machine; docs/benchmarks.d/storage.md):
 * mean 120 µs (p50 117, p99 153) vs snappyjs 258 µs (p50 246, p99 337); 2000 back-to-back calls
 * 121–127 µs vs 271–274 µs per call; output 25,572 vs 25,578 bytes (napi `snappy`: 25,580).
 *
 * Earlier choice, still valid against the native `snappy` package (napi-rs): its median is lower
 * (~36 µs) but its tail (p99 ~5 ms) makes its mean worse and blocks the event loop the scrapes run on,
 * and it needs a native binary.
 */
export function snappyCompress(input: Uint8Array): Uint8Array {
  return compressor.compress(input);
}

/** The inverse, for receivers and tests (snappyjs; decoding is not on the agent's hot path). */
export function snappyUncompress(input: Uint8Array): Uint8Array {
  return snappyjs.uncompress(input);
}
