import type { ActiveTargetView, TargetsSnapshot } from './agent-view.js';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function labelsHtml(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `<span class="label">${escapeHtml(k)}="${escapeHtml(v)}"</span>`)
    .join(' ');
}

function ago(ms: number, now: number): string {
  if (ms <= 0) return 'never';
  const s = Math.max(0, (now - ms) / 1000);
  return s < 120 ? `${s.toFixed(1)}s ago` : `${Math.round(s / 60)}m ago`;
}

function row(t: ActiveTargetView, now: number): string {
  return `<tr class="${t.health}">
<td><a href="${escapeHtml(t.scrapeUrl)}">${escapeHtml(t.scrapeUrl)}</a></td>
<td class="health">${t.health}</td>
<td>${labelsHtml(t.labels)}</td>
<td>${ago(t.lastScrapeMs, now)}</td>
<td>${(t.lastScrapeDurationMs / 1000).toFixed(3)}s</td>
<td class="error">${escapeHtml(t.lastError)}</td>
</tr>`;
}

/**
 * The `/targets` page: every target's health, last scrape, duration, error and labels, grouped by scrape
 * pool. Plain server-rendered HTML with a little CSS and no script, so it reads in any browser and in
 * text-mode ones.
 */
export function targetsPage(snapshot: TargetsSnapshot, now: number): string {
  const pools = new Map<string, ActiveTargetView[]>();
  for (const t of snapshot.active) {
    const list = pools.get(t.scrapePool) ?? [];
    list.push(t);
    pools.set(t.scrapePool, list);
  }
  const sections = [...pools.keys()].sort().map((pool) => {
    const targets = pools.get(pool)!;
    const up = targets.filter((t) => t.health === 'up').length;
    const dropped = snapshot.droppedCounts[pool] ?? 0;
    return `<section id="pool-${escapeHtml(pool)}">
<h2>${escapeHtml(pool)} <small>(${up}/${targets.length} up${dropped ? `, ${dropped} dropped` : ''})</small></h2>
<table>
<thead><tr><th>Endpoint</th><th>State</th><th>Labels</th><th>Last scrape</th><th>Scrape duration</th><th>Error</th></tr></thead>
<tbody>
${targets.map((t) => row(t, now)).join('\n')}
</tbody>
</table>
</section>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>scrapewire · targets</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2rem; }
th, td { border: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; font-size: .9rem; }
th { background: #f4f4f4; }
tr.up .health { color: #fff; background: #2e7d32; }
tr.down .health { color: #fff; background: #c62828; }
tr.unknown .health { background: #eee; }
.label { display: inline-block; background: #e8eef7; border-radius: 3px; padding: 0 .3rem; margin: 1px; font-family: monospace; }
.error { color: #c62828; font-family: monospace; }
</style>
</head>
<body>
<h1>Targets</h1>
${sections.length ? sections.join('\n') : '<p>No targets.</p>'}
</body>
</html>
`;
}
