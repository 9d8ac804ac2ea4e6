import { createHash } from 'node:crypto';

/**
 * Prometheus's `hashmod`: MD5 of the UTF-8 bytes of `value`, the last 8 bytes of the digest read as a
 * big-endian unsigned 64-bit integer, modulo `modulus`. Identical in 2.x and 3.x, so shards computed here
 * agree with Prometheus replicas.
 */
export function hashmod(value: string, modulus: bigint): bigint {
  const digest = createHash('md5').update(value, 'utf8').digest();
  return digest.readBigUInt64BE(8) % modulus;
}
