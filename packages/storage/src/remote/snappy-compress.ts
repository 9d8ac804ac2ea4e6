/**
 * A Snappy *block format* compressor (the format of a remote write body; not the framed/stream format),
 * written for scrapewire's hot path.
 *
 * Why hand-written: remote write compresses every request body (~93 KB of protobuf for 2000 samples,
 * ~51 requests/s in the agent benchmark). snappyjs allocates a fresh output buffer of the maximum
 * compressed length and a fresh hash table per 64 KiB block on every call; those ArrayBuffers live
 * outside the V8 heap, so the garbage shows up as RSS, and the call cost ~280 µs per request. This
 * compressor keeps one hash table and one growable scratch output buffer per instance and copies the
 * result out at its exact size, so the only off-heap allocation per call is the returned bytes (on
 * the V8 heap: one DataView, and a subarray view per literal longer than 16 bytes; tiny, short-lived).
 *
 * The format (google/snappy format_description.txt): a varint of the uncompressed length, then
 * elements whose first byte's low 2 bits are the tag:
 * - 00 literal: length-1 in the upper 6 bits if < 60; 60..63 mean length-1 follows in 1..4 bytes (LE);
 * - 01 copy, 1-byte offset: length 4..11 in bits 2..4, offset (11 bits) in bits 5..7 + the next byte;
 * - 10 copy, 2-byte offset: length 1..64 in the upper 6 bits, offset in the next 2 bytes (LE);
 * - 11 copy, 4-byte offset: never needed here, as no offset exceeds 65535.
 * A copy's offset counts back from the current output position; it may be smaller than the length
 * (the copy then overlaps itself and repeats a pattern). Decoders reject an offset of 0 or one that
 * reaches before the start of the output (Go's `snappy.Decode`, used by Prometheus and
 * VictoriaMetrics, returns ErrCorrupt).
 *
 * The method is the usual greedy LZ77 with a hash table of 4-byte sequences, over independent 64 KiB
 * blocks as the reference implementation compresses. Blocks of 64 KiB keep every offset within
 * 16 bits (so the table can be a Uint16Array of block-relative positions and every copy fits the
 * 2-byte-offset form), bound the table's size and the cost of clearing it, and split the input the
 * way the reference does.
 */

/** Input is compressed in independent blocks of this size; copies never reach into an earlier block. */
const BLOCK_SIZE = 1 << 16;
/** Hash table sizes: 2^8 for tiny blocks (cheap to clear) up to 2^14 entries for full blocks. */
const MIN_TABLE_BITS = 8;
const MAX_TABLE_BITS = 14;
/**
 * Blocks shorter than this are emitted as one literal: a copy saves at most a byte or two there, and
 * skipping the search also keeps the match loop's bounds simple (it needs a few bytes to work with).
 */
const MIN_MATCH_BLOCK = 16;
/** Multiplicative hash constant (odd, with well-mixed bits), as used by Snappy's reference. */
const HASH_MUL = 0x1e35a7bd;
/** Literals longer than this are copied with `set` instead of a byte loop. */
const SHORT_LITERAL = 16;
/** Default for {@link SnappyCompressorOptions.maxRetainedScratch}. */
const DEFAULT_MAX_RETAINED_SCRATCH = 1 << 20;

/**
 * The largest block-format output for `n` input bytes, the bound the reference implementation
 * documents (`32 + n + n/6`). Our output stays well under it: a copy is never longer than the bytes it
 * replaces, and literal headers add at most 3 bytes per literal, which is either followed by a copy
 * (saving at least 1) or 61+ bytes long. The scratch is sized to it all the same.
 */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/** Options of {@link SnappyCompressor}. */
export interface SnappyCompressorOptions {
  /**
   * The largest scratch output buffer (bytes) the compressor keeps between calls; default 1 MiB, enough
   * for ~870 KB of input. A larger input is compressed into a temporary buffer instead, so one
   * exceptional request does not pin its worst-case size in memory for the life of the process.
   */
  maxRetainedScratch?: number;
}

/**
 * Snappy block-format compressor that reuses its hash table and output scratch across calls.
 *
 * Not reentrant: {@link SnappyCompressor.compress} is synchronous, so one instance per thread (e.g. a
 * module-level one) is enough; worker threads get their own module instances.
 */
export class SnappyCompressor {
  readonly #table = new Uint16Array(1 << MAX_TABLE_BITS);
  #scratch = new Uint8Array(0);
  readonly #maxRetained: number;

  constructor(options: SnappyCompressorOptions = {}) {
    this.#maxRetained = options.maxRetainedScratch ?? DEFAULT_MAX_RETAINED_SCRATCH;
  }

  /**
   * Compresses `input` to the Snappy block format. Returns a new, exact-size `Uint8Array` that owns its
   * bytes (never a view of the shared scratch), so callers may keep it (e.g. for retries) while later
   * calls reuse the scratch.
   *
   * @throws RangeError if `input` is 2^32 bytes or longer (the format's length preamble is 32-bit).
   */
  compress(input: Uint8Array): Uint8Array {
    const n = input.length;
    if (n > 0xffffffff) throw new RangeError(`snappy: input of ${n} bytes is too long`);
    const bound = maxCompressedLength(n);
    let out = this.#scratch;
    if (out.length < bound) {
      if (bound <= this.#maxRetained) {
        // Grow geometrically (capped) so bodies that creep up in size do not reallocate every time.
        out = new Uint8Array(Math.min(this.#maxRetained, Math.max(bound, out.length * 2)));
        this.#scratch = out;
      } else {
        out = new Uint8Array(bound);
      }
    }

    // Preamble: the uncompressed length as a little-endian base-128 varint.
    let op = 0;
    let v = n;
    while (v >= 0x80) {
      out[op++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[op++] = v;

    const table = this.#table;
    // 4-byte loads through a DataView compile to one unaligned load each (measured ~20% faster on the
    // benchmark body than assembling them from 4 byte loads).
    const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    for (let start = 0; start < n; start += BLOCK_SIZE) {
      op = compressBlock(input, view, start, Math.min(start + BLOCK_SIZE, n), out, op, table);
    }
    // Typed arrays drop out-of-range writes silently; make a broken bound fail loudly instead.
    if (op > out.length) throw new Error('snappy: output overran its buffer');
    // `out` is always a plain Uint8Array (never a Buffer, whose slice() is a view), so slice() copies.
    return out.slice(0, op);
  }
}

/**
 * Compresses `src[start, end)` (at most {@link BLOCK_SIZE} bytes) into `dst` at `op`; returns the new
 * output position. Table entries are positions relative to `start`.
 */
function compressBlock(
  src: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  dst: Uint8Array,
  op: number,
  table: Uint16Array,
): number {
  const len = end - start;
  if (len < MIN_MATCH_BLOCK) return emitLiteral(src, start, end, dst, op);

  let bits = MIN_TABLE_BITS;
  while (bits < MAX_TABLE_BITS && 1 << bits < len) bits++;
  const shift = 32 - bits;
  // Forget the previous block's (or call's) positions. This is needed for correctness, not just for
  // reproducible output: a stale entry may name a position at or after the current one, and if the
  // bytes there happen to match, the copy would get an offset <= 0, which decoders reject. An entry of
  // 0 just means "block start", a valid (if usually wrong) candidate for any later position.
  table.fill(0, 0, 1 << bits);

  // The last position a 4-byte load may start at; the few bytes after it end up in the final literal.
  const sLimit = end - 4;
  let nextEmit = start; // first byte not yet emitted
  let s = start + 1; // position 0 has nothing before it to match
  let candidate = 0;

  outer: for (;;) {
    // Search for a position whose 4 bytes equal those at a remembered earlier position. The skip
    // heuristic: the step is 1 for the first 32 misses in a row, then grows by about 1/32 per further
    // miss, so incompressible stretches are skimmed at an accelerating rate (random input costs little
    // more than a copy) instead of hashed byte by byte. It resets after every match, and compressible
    // data such as protobuf rarely misses 32 times in a row.
    let skip = 32;
    let cur = view.getInt32(s, true);
    for (;;) {
      const h = Math.imul(cur, HASH_MUL) >>> shift;
      candidate = start + table[h]!;
      table[h] = s - start;
      // candidate < s always (the table only holds positions already passed), so the offset is >= 1.
      if (cur === view.getInt32(candidate, true)) break;
      const step = skip >>> 5;
      skip += step;
      s += step;
      if (s > sLimit) break outer;
      cur = view.getInt32(s, true);
    }

    // Everything between the previous match and this one goes out as a literal.
    op = emitLiteral(src, nextEmit, s, dst, op);

    // Emit the match; while the bytes right after it match again somewhere, emit the next copy
    // straight away (no literal between), as runs and repeated protobuf fields commonly do.
    for (;;) {
      const base = s;
      let m = candidate + 4;
      s += 4;
      while (s <= sLimit && view.getInt32(s, true) === view.getInt32(m, true)) {
        s += 4;
        m += 4;
      }
      while (s < end && src[s] === src[m]) {
        s++;
        m++;
      }
      op = emitCopy(dst, op, base - candidate, s - base);
      nextEmit = s;
      if (s > sLimit) break outer;
      // Also remember the position just before the match's end, so a match that starts there (common
      // in record-structured data) can be found.
      table[Math.imul(view.getInt32(s - 1, true), HASH_MUL) >>> shift] = s - 1 - start;
      cur = view.getInt32(s, true);
      const h = Math.imul(cur, HASH_MUL) >>> shift;
      candidate = start + table[h]!;
      table[h] = s - start;
      if (cur !== view.getInt32(candidate, true)) break;
    }
    s++;
    if (s > sLimit) break;
  }

  if (nextEmit < end) op = emitLiteral(src, nextEmit, end, dst, op);
  return op;
}

/** Emits `src[from, to)` (non-empty) as one literal element; returns the new output position. */
function emitLiteral(src: Uint8Array, from: number, to: number, dst: Uint8Array, op: number): number {
  const n = to - from - 1;
  if (n < 60) {
    dst[op++] = n << 2;
  } else if (n < 0x100) {
    dst[op++] = 60 << 2;
    dst[op++] = n;
  } else if (n < 0x10000) {
    dst[op++] = 61 << 2;
    dst[op++] = n & 0xff;
    dst[op++] = n >>> 8;
  } else if (n < 0x1000000) {
    // Unreachable with 64 KiB blocks (n <= 65535), kept so the element encoder is complete.
    dst[op++] = 62 << 2;
    dst[op++] = n & 0xff;
    dst[op++] = (n >>> 8) & 0xff;
    dst[op++] = n >>> 16;
  } else {
    dst[op++] = 63 << 2;
    dst[op++] = n & 0xff;
    dst[op++] = (n >>> 8) & 0xff;
    dst[op++] = (n >>> 16) & 0xff;
    dst[op++] = n >>> 24;
  }
  if (n < SHORT_LITERAL) {
    // Short literals dominate; a byte loop beats creating a subarray view for set().
    for (let i = from; i < to; i++) dst[op++] = src[i]!;
    return op;
  }
  dst.set(src.subarray(from, to), op);
  return op + n + 1;
}

/**
 * Emits a copy of `length` (>= 4) bytes from `offset` (1..65535) back; returns the new output position.
 * A 2-byte-offset element carries at most 64 bytes, so long matches become several elements. They are
 * split so that the last piece is at least 4 bytes long: 64-byte pieces while 68 or more remain, then
 * one of 60 if 65..67 remain. A 1..3 byte tail would need a 3-byte element for fewer bytes than that,
 * while a 4..11 byte tail fits the 2-byte element (tag 01) when the offset is under 2048.
 */
function emitCopy(dst: Uint8Array, op: number, offset: number, length: number): number {
  const lo = offset & 0xff;
  const hi = offset >>> 8;
  while (length >= 68) {
    dst[op] = (63 << 2) | 2;
    dst[op + 1] = lo;
    dst[op + 2] = hi;
    op += 3;
    length -= 64;
  }
  if (length > 64) {
    dst[op] = (59 << 2) | 2;
    dst[op + 1] = lo;
    dst[op + 2] = hi;
    op += 3;
    length -= 60;
  }
  if (length < 12 && offset < 2048) {
    dst[op] = (hi << 5) | ((length - 4) << 2) | 1;
    dst[op + 1] = lo;
    return op + 2;
  }
  dst[op] = ((length - 1) << 2) | 2;
  dst[op + 1] = lo;
  dst[op + 2] = hi;
  return op + 3;
}
