import type { ExpositionParser } from './textparse/parser.js';

/**
 * A process-wide pool of the raw series texts that scrape caches keep as keys. Targets running the same
 * exporter expose mostly the same series texts (`node_cpu_seconds_total{cpu="0",mode="idle"}` on every
 * host), so a fleet of N targets would otherwise keep N copies of each: about 75 bytes a series for
 * node_exporter. Consulted only when a cache meets a series it does not know.
 *
 * Bounded: a full pool is cleared (the strings stay shared where caches hold them; only later sharing is
 * lost), so a fleet whose series never repeat pins at most this many texts that no cache needs any more.
 */
const MAX_POOLED = 65_536;
const pool = new Map<string, string>();

/**
 * The current series' text as a string of its own, shared with other caches that hold the same text.
 * `seriesKey()` is a slice of the decoded body, and V8 keeps the whole body alive for as long as any
 * slice of it lives, so a new text is copied before it is kept.
 */
export function pooledSeriesKey(parser: ExpositionParser): string {
  const key = parser.seriesKey();
  const known = pool.get(key);
  if (known !== undefined) return known;
  if (pool.size >= MAX_POOLED) pool.clear();
  const own = Buffer.from(parser.seriesBytes()).toString('latin1');
  pool.set(own, own);
  return own;
}
