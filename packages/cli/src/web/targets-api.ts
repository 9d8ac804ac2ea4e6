import { formatDuration } from '@scrapewire/model';
import type { ActiveTargetView, TargetsSnapshot } from './agent-view.js';

/** Go's zero `time.Time` in RFC 3339, which Prometheus reports as `lastScrape` before the first scrape. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The body of `GET /api/v1/targets` in Prometheus's JSON shape, with its `state` and `scrapePool` filters:
 * `state` is `active`, `dropped` or `any` (empty means both, case-insensitive; any other value gives empty
 * lists, as Prometheus does), and `droppedTargetCounts` is null when only active targets are asked for.
 */
export function targetsApiBody(
  snapshot: TargetsSnapshot,
  state: string | null,
  scrapePool: string | null,
): object {
  const s = (state ?? '').toLowerCase();
  const wantActive = s === '' || s === 'any' || s === 'active';
  const wantDropped = s === '' || s === 'any' || s === 'dropped';
  const inPool = (pool: string) => scrapePool === null || scrapePool === '' || pool === scrapePool;
  const byPool = <T extends { scrapePool: string }>(a: T, b: T) =>
    a.scrapePool < b.scrapePool ? -1 : a.scrapePool > b.scrapePool ? 1 : 0;

  const activeTargets = wantActive
    ? snapshot.active
        .filter((t) => inPool(t.scrapePool))
        .sort(byPool)
        .map(activeTargetJson)
    : [];
  const droppedTargets = wantDropped
    ? snapshot.dropped
        .filter((t) => inPool(t.scrapePool))
        .sort(byPool)
        .map((t) => ({ discoveredLabels: t.discoveredLabels, scrapePool: t.scrapePool }))
    : [];
  let droppedTargetCounts: Record<string, number> | null = null;
  if (s !== 'active') {
    droppedTargetCounts = {};
    for (const [pool, n] of Object.entries(snapshot.droppedCounts))
      if (inPool(pool)) droppedTargetCounts[pool] = n;
  }
  return { status: 'success', data: { activeTargets, droppedTargets, droppedTargetCounts } };
}

function activeTargetJson(t: ActiveTargetView): object {
  return {
    discoveredLabels: t.discoveredLabels,
    labels: t.labels,
    scrapePool: t.scrapePool,
    scrapeUrl: t.scrapeUrl,
    globalUrl: t.scrapeUrl,
    lastError: t.lastError,
    lastScrape: t.lastScrapeMs > 0 ? new Date(t.lastScrapeMs).toISOString() : ZERO_TIME,
    lastScrapeDuration: t.lastScrapeDurationMs / 1000,
    health: t.health,
    scrapeInterval: formatDuration(t.intervalMs),
    scrapeTimeout: formatDuration(t.timeoutMs),
  };
}
