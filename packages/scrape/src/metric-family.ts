import type { MetricType } from '@scrapewire/storage';

/**
 * Whether a series named `name` belongs to the metric family `family` of type `type`, i.e. whether the
 * family's metadata applies to it (Prometheus's `isSeriesPartOfFamily`, used before its scrape loop
 * hands metadata to storage). The allowed suffixes depend on the type:
 *
 * | type | series names |
 * |---|---|
 * | counter | `f`, `f_total`, `f_created` (a family declared as `f_total` counts as `f`) |
 * | histogram | `f`, `f_bucket`, `f_sum`, `f_count`, `f_created` |
 * | gaugehistogram | `f`, `f_bucket`, `f_gsum`, `f_gcount` |
 * | summary | `f`, `f_sum`, `f_count`, `f_created` |
 * | info | `f`, `f_info` (a family declared as `f_info` counts as `f`) |
 * | others | `f` only |
 *
 * `_created` is an addition to Prometheus's rule: Prometheus ingests OpenMetrics `_created` lines as
 * plain series unless created-timestamp ingestion is on, and then gives them no metadata; they are part
 * of their family in OpenMetrics, so scrapewire attaches it.
 *
 * The check uses the final name (after metric relabeling), so a series renamed by relabeling gets no
 * metadata, as in Prometheus. Not on the hot path: the scrape loop calls it only for new series and
 * after a family's metadata changed.
 */
export function belongsToFamily(name: string, family: string, type: MetricType): boolean {
  let base = family;
  let suffixes: readonly string[];
  switch (type) {
    case 'counter':
      if (base.endsWith('_total')) base = base.slice(0, -6);
      suffixes = COUNTER;
      break;
    case 'histogram':
      suffixes = HISTOGRAM;
      break;
    case 'gaugehistogram':
      suffixes = GAUGE_HISTOGRAM;
      break;
    case 'summary':
      suffixes = SUMMARY;
      break;
    case 'info':
      if (base.endsWith('_info')) base = base.slice(0, -5);
      suffixes = INFO;
      break;
    default:
      return name === family;
  }
  if (!name.startsWith(base)) return false;
  if (name.length === base.length) return true;
  const rest = name.slice(base.length);
  return suffixes.includes(rest);
}

const COUNTER = ['_total', '_created'] as const;
const HISTOGRAM = ['_bucket', '_sum', '_count', '_created'] as const;
const GAUGE_HISTOGRAM = ['_bucket', '_gsum', '_gcount'] as const;
const SUMMARY = ['_sum', '_count', '_created'] as const;
const INFO = ['_info'] as const;
