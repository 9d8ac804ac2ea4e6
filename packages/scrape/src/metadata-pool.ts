import type { Metadata, MetricType } from '@scrapewire/storage';
import { BoundedPool } from './bounded-pool.js';

/**
 * Process-wide pools of the metadata strings and snapshots that scrape caches keep. Every target of an
 * exporter exposes the same families with the same help texts, so 200 node_exporter targets would
 * otherwise keep 200 copies of ~280 names, help texts and snapshots each (about 100 bytes a series).
 * Only new or changed metadata goes through here, never the per-sample path.
 */
const MAX_POOLED = 100_000;
const strings = new BoundedPool<string>(MAX_POOLED);
const snapshots = new BoundedPool<Metadata>(MAX_POOLED);

/**
 * The pooled copy of `s`. A new string is copied first: the parser's strings may be slices of a whole
 * scrape body, which a long-lived reference would keep alive. (V8 has no string copy; a round trip
 * through UTF-8 makes a flat new string, and parsed text is valid UTF-8, so it is exact.)
 */
export function pooledString(s: string): string {
  if (s === '') return s;
  const known = strings.get(s);
  if (known !== undefined) return known;
  const own = Buffer.from(s, 'utf8').toString('utf8');
  return strings.add(own, own);
}

/**
 * The pooled frozen snapshot of this metadata. Sharing is safe for the identity checks of the scrape
 * cache: a series that last reported snapshot X is up to date whenever its family's metadata is X again.
 */
export function pooledMetadata(type: MetricType, help: string, unit: string): Metadata {
  const key = `${type}\0${unit}\0${help}`;
  const known = snapshots.get(key);
  if (known !== undefined) return known;
  return snapshots.add(key, Object.freeze({ type, help: pooledString(help), unit: pooledString(unit) }));
}
