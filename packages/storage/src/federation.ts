import type { Labels } from '@scrapewire/model';
import type { SamplePoint } from './memory-storage.js';

/** A series to federate: its labels and newest point. */
export interface FederationSample {
  readonly labels: Labels;
  readonly sample: SamplePoint;
}

const LEGACY_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Formats a float the way Go's `strconv.FormatFloat(f, 'g', -1, 64)` does, which is what the
 * Prometheus text format writer uses: shortest round-trip digits, exponent form when the decimal
 * exponent is below -4 or at least 6 (`1e+06`, `2.5e-05`), the exponent written with at least two digits.
 */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mant, expStr] = v.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  return String(v);
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * Renders series in the Prometheus text exposition format (0.0.4), as Prometheus's `/federate`
 * endpoint does: one `# TYPE <name> untyped` line per metric name, then each series with its
 * timestamp. Staleness markers and native histograms are skipped (the text format cannot carry them).
 * Names that are not valid legacy names are written in the quoted form of text format 1.0.0.
 */
export function formatFederation(series: Iterable<FederationSample>): string {
  const byName = new Map<string, FederationSample[]>();
  for (const s of series) {
    if (s.sample.stale || s.sample.histogram) continue;
    const name = s.labels.get('__name__');
    let list = byName.get(name);
    if (!list) {
      list = [];
      byName.set(name, list);
    }
    list.push(s);
  }
  const out: string[] = [];
  for (const name of [...byName.keys()].sort()) {
    const quotedName = LEGACY_NAME.test(name) ? name : JSON.stringify(name);
    out.push(`# TYPE ${quotedName} untyped\n`);
    for (const s of byName.get(name)!) {
      const parts: string[] = [];
      if (quotedName !== name) parts.push(quotedName);
      s.labels.forEach((n, v) => {
        if (n === '__name__') return;
        parts.push(`${LEGACY_LABEL.test(n) ? n : JSON.stringify(n)}="${escapeLabelValue(v)}"`);
      });
      const head =
        quotedName !== name
          ? `{${parts.join(',')}}`
          : parts.length > 0
            ? `${name}{${parts.join(',')}}`
            : name;
      out.push(`${head} ${formatGoFloat(s.sample.value)} ${s.sample.timestampMs}\n`);
    }
  }
  return out.join('');
}
