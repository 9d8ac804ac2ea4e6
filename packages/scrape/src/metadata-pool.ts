import type { Metadata, MetricType } from '@scrapewire/storage';

/**
 * Process-wide pools of the metadata strings and snapshots that scrape caches keep. Every target of an
 * exporter exposes the same families with the same help texts, so 200 node_exporter targets would
 * otherwise keep 200 copies of ~280 names, help texts and snapshots each (about 100 bytes a series).
 * Only new or changed metadata goes through here, never the per-sample path.
 *
 * The pools only deduplicate: values are immutable and still referenced by the caches that use them, so
 * clearing a full pool (which bounds it under churn) loses nothing but sharing.
 */
const MAX_POOLED = 100_000;
const strings = new Map<string, string>();
const snapshots = new Map<string, Metadata>();

/**
 * The pooled copy of `s`. A new string is copied first: the parser's strings may be slices of a whole
 * scrape body, which a long-lived reference would keep alive. (V8 has no string copy; a round trip
 * through UTF-8 makes a flat new string, and parsed text is valid UTF-8, so it is exact.)
 */
export function pooledString(s: string): string {
  if (s === '') return s;
  const known = strings.get(s);
  if (known !== undefined) return known;
  if (strings.size >= MAX_POOLED) strings.clear();
  const own = Buffer.from(s, 'utf8').toString('utf8');
  strings.set(own, own);
  return own;
}

/**
 * The pooled frozen snapshot of this metadata. Sharing is safe for the identity checks of the scrape
 * cache: a series that last reported snapshot X is up to date whenever its family's metadata is X again.
 */
export function pooledMetadata(type: MetricType, help: string, unit: string): Metadata {
  const key = `${type}\0${unit}\0${help}`;
  const known = snapshots.get(key);
  if (known !== undefined) return known;
  if (snapshots.size >= MAX_POOLED) snapshots.clear();
  const snap: Metadata = Object.freeze({ type, help: pooledString(help), unit: pooledString(unit) });
  snapshots.set(key, snap);
  return snap;
}
