/**
 * How long a target waits before its first scrape, as Prometheus's `Target.offset`: every target scrapes
 * at a fixed phase `(hash XOR seed) mod interval` within epoch-aligned intervals, so targets of one job
 * spread over the interval, and the same target keeps its phase across restarts. A server-specific seed
 * (Prometheus hashes hostname and external labels) gives HA replicas different phases.
 *
 * @param targetHash - The target's identity hash.
 * @param seed - The per-server offset seed.
 * @param intervalMs - The scrape interval; must be positive.
 * @param nowMs - The current time in milliseconds since the epoch.
 * @returns The wait in milliseconds, in `(0, intervalMs]`.
 */
export function scrapeOffsetMs(targetHash: bigint, seed: bigint, intervalMs: number, nowMs: number): number {
  const interval = Math.floor(intervalMs);
  if (interval <= 0) return 0;
  const phase = Number((targetHash ^ seed) % BigInt(interval));
  const base = interval - (Math.floor(nowMs) % interval);
  let next = base + phase;
  if (next > interval) next -= interval;
  return next;
}
