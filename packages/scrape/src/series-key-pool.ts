import { BoundedPool } from './bounded-pool.js';
import type { ExpositionParser } from './textparse/parser.js';

/**
 * A process-wide pool of the raw series texts that scrape caches keep as keys. Targets running the same
 * exporter expose mostly the same series texts (`node_cpu_seconds_total{cpu="0",mode="idle"}` on every
 * host), so a fleet of N targets would otherwise keep N copies of each: about 75 bytes a series for
 * node_exporter. Consulted only when a cache meets a series it does not know.
 */
const pool = new BoundedPool<string>(65_536);

/**
 * The current series' text as a string of its own, shared with other caches that hold the same text.
 * `seriesKey()` is a slice of the decoded body, and V8 keeps the whole body alive for as long as any
 * slice of it lives, so a new text is copied before it is kept.
 */
export function pooledSeriesKey(parser: ExpositionParser): string {
  const known = pool.get(parser.seriesKey());
  if (known !== undefined) return known;
  const own = Buffer.from(parser.seriesBytes()).toString('latin1');
  return pool.add(own, own);
}
