/**
 * The few protobuf wire-format primitives remote write needs, written by hand.
 *
 * Why not protobufjs: a `WriteRequest` is a handful of message types, and the hot path is encoding the
 * same series labels again and again. A hand-written encoder can pre-encode each series' labels once and
 * copy the bytes, and size the request exactly so it allocates one buffer; the measurement in
 * `bench/remote-write-encode.bench.ts` (figures in docs/benchmarks.d/storage.md) found it several times
 * faster than protobufjs on the same data, with no schema to load.
 */

/** Bytes of a varint for a non-negative integer below 2^53, or of a negative int64 (always 10). */
export function varintSize(n: number): number {
  // Compared, not divided in a loop: this runs twice per sample (millisecond timestamps take 6 bytes).
  if (n < 0) return 10;
  if (n < 2 ** 7) return 1;
  if (n < 2 ** 14) return 2;
  if (n < 2 ** 21) return 3;
  if (n < 2 ** 28) return 4;
  if (n < 2 ** 35) return 5;
  if (n < 2 ** 42) return 6;
  if (n < 2 ** 49) return 7;
  if (n < 2 ** 56) return 8;
  if (n < 2 ** 63) return 9;
  return 10;
}

/** Zig-zag encoding of a signed integer (`sint32` / `sint64`), exact below 2^52 in magnitude. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** UTF-8 byte length of a string. */
export function utf8Size(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A protobuf writer over a growable buffer; `finish()` returns the written bytes. */
export class ProtoWriter {
  buf: Buffer;
  view: DataView;
  pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(64, this.buf.length * 2);
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A varint; `n` must be an integer, negative values take the 10-byte two's-complement form. */
  varint(n: number): void {
    this.ensure(10);
    if (n < 0) {
      let b = BigInt.asUintN(64, BigInt(n));
      while (b >= 128n) {
        this.buf[this.pos++] = Number(b & 127n) | 128;
        b >>= 7n;
      }
      this.buf[this.pos++] = Number(b);
      return;
    }
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  /** A little-endian double. */
  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Eight raw bytes, high and low 32-bit halves given separately (for NaN payloads JS cannot keep). */
  fixed64Bits(hi: number, lo: number): void {
    this.ensure(8);
    this.view.setUint32(this.pos, lo, true);
    this.view.setUint32(this.pos + 4, hi, true);
    this.pos += 8;
  }

  /** Raw bytes, no length prefix. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A length-delimited string field body: length then UTF-8 bytes. */
  string(s: string): void {
    const len = utf8Size(s);
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  /** A length-delimited field holding bytes written by `body`, sized with a scratch writer. */
  message(tag: number, body: (w: ProtoWriter) => void): void {
    const sub = new ProtoWriter(64);
    body(sub);
    this.byte(tag);
    this.varint(sub.pos);
    this.ensure(sub.pos);
    sub.buf.copy(this.buf, this.pos, 0, sub.pos);
    this.pos += sub.pos;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
