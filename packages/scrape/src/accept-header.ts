import type { ScrapeProtocol } from '@scrapewire/config';

/** The media type each protocol asks for in `Accept` (Prometheus's `ScrapeProtocolsHeaders`). */
const MEDIA_TYPES: Readonly<Record<ScrapeProtocol, string>> = {
  PrometheusProto:
    'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
};

/** Protocols whose media type carries the `escaping` parameter. */
const ESCAPING: ReadonlySet<ScrapeProtocol> = new Set(['PrometheusText1.0.0', 'OpenMetricsText1.0.0']);

/**
 * Builds the `Accept` header of a scrape request as Prometheus v3 does: the listed protocols in order with
 * falling q-values starting at `0.<known protocols + 1>`, the escaping parameter on the 1.0.0 text formats,
 * and a final `*∕*` entry. `escaping` is `allow-utf-8` under the UTF-8 validation scheme and `underscores`
 * under the legacy one.
 *
 * @example
 * acceptHeader(['OpenMetricsText1.0.0', 'PrometheusText0.0.4'], 'allow-utf-8');
 * // 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,text/plain;version=0.0.4;q=0.5,*∕*;q=0.4'
 */
export function acceptHeader(protocols: readonly ScrapeProtocol[], escaping: string): string {
  let weight = Object.keys(MEDIA_TYPES).length + 1;
  const parts: string[] = [];
  for (const p of protocols) {
    let entry = MEDIA_TYPES[p];
    if (ESCAPING.has(p)) entry += `;escaping=${escaping}`;
    parts.push(`${entry};q=0.${weight}`);
    weight--;
  }
  parts.push(`*/*;q=0.${weight}`);
  return parts.join(',');
}

/** The escaping scheme a job sends in `Accept`, derived from its validation and escaping settings. */
export function escapingFor(scheme: 'utf8' | 'legacy', escaping: string): string {
  if (scheme === 'legacy') return 'underscores';
  return escaping;
}
