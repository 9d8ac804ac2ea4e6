/// <reference path="./snappyjs.d.ts" />
import snappyjs from 'snappyjs';

/**
 * Snappy block-format compression of a remote write body.
 *
 * Chosen by measurement (bench/remote-write-encode.bench.ts, figures in docs/benchmarks.d/storage.md):
 * on a 93 KB, 2000-sample request the native `snappy` package (napi-rs) has a much lower median
 * (~36 µs vs ~250 µs) but a heavy tail (p99 ~5 ms) that makes its MEAN worse than pure-JS snappyjs
 * (~360 µs vs ~290 µs), and a tail like that blocks the event loop the scrapes run on. snappyjs also
 * needs no native binary. Same output size within a few bytes.
 */
export function snappyCompress(input: Uint8Array): Uint8Array {
  return snappyjs.compress(input);
}

/** The inverse, for receivers and tests. */
export function snappyUncompress(input: Uint8Array): Uint8Array {
  return snappyjs.uncompress(input);
}
