/**
 * Prometheus's `hashmod`: MD5 of the UTF-8 bytes of `value`, the last 8 bytes of the digest read as a
 * big-endian unsigned 64-bit integer, modulo `modulus`. Identical in 2.x and 3.x, so shards computed here
 * agree with Prometheus replicas.
 *
 * MD5 is computed in JavaScript (RFC 1321) rather than with `node:crypto`: hashed values are short
 * (an address, a few labels), and for those the fixed cost of a native hash object (~2–4 µs) is several
 * times the whole computation here. Tests check it against `node:crypto` on random inputs.
 */
export function hashmod(value: string, modulus: bigint): bigint {
  const [hi, lo] = md5Tail(value);
  if (modulus <= SMALL_MODULUS) {
    // (hi·2^32 + lo) mod m without bigints: every intermediate stays below 2^53 for m ≤ 2^20.
    const m = Number(modulus);
    return BigInt(((((hi % m) * (TWO32 % m)) % m) + (lo % m)) % m);
  }
  return ((BigInt(hi) << 32n) | BigInt(lo)) % modulus;
}

const TWO32 = 2 ** 32;
const SMALL_MODULUS = 1n << 20n;

const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * TWO32) | 0;
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

const encoder = new TextEncoder();
let buf = new Uint8Array(128);
const words = new Int32Array(16);

/** Bytes 8..15 of MD5(value) as two big-endian uint32s `[hi, lo]`. */
export function md5Tail(value: string): [number, number] {
  // Encode to UTF-8 and pad: 0x80, zeros, then the bit length as a little-endian uint64.
  let len: number;
  if (value.length * 3 + 72 > buf.length) buf = new Uint8Array(value.length * 3 + 72);
  if (/^[\x00-\x7f]*$/.test(value)) {
    len = value.length;
    for (let i = 0; i < len; i++) buf[i] = value.charCodeAt(i);
  } else {
    len = encoder.encodeInto(value, buf).written;
  }
  const total = (((len + 8) >> 6) + 1) << 6;
  buf[len] = 0x80;
  buf.fill(0, len + 1, total);
  const bits = len * 8;
  buf[total - 8] = bits & 0xff;
  buf[total - 7] = (bits >>> 8) & 0xff;
  buf[total - 6] = (bits >>> 16) & 0xff;
  buf[total - 5] = (bits >>> 24) & 0xff;
  const high = Math.floor(bits / TWO32);
  buf[total - 4] = high & 0xff;
  buf[total - 3] = (high >>> 8) & 0xff;
  buf[total - 2] = (high >>> 16) & 0xff;
  buf[total - 1] = (high >>> 24) & 0xff;

  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) {
      const p = off + i * 4;
      words[i] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    }
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = S[((i >> 4) << 2) | (i & 3)]!;
      const x = (a + f + K[i]! + words[g]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  return [bswap(c0), bswap(d0)];
}

function bswap(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | ((x >>> 24) & 0xff)) >>> 0;
}
