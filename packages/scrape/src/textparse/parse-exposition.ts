import type { Labels } from '@scrapewire/model';
import type { MetricType } from '@scrapewire/storage';
import { createParser, type CreateParserOptions } from './create-parser.js';
import { EntryKind } from './parser.js';

/** One sample of a {@link ParsedFamily}, as plain data. */
export interface ParsedSample {
  /** The sample's metric name, e.g. `http_requests_total` or `latency_bucket`. */
  readonly name: string;
  /** Labels without `__name__`; labels with empty values are left out, as in Prometheus. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Milliseconds since the epoch, when the exposition gave one. */
  readonly timestampMs?: number;
  /** The OpenMetrics exemplar of this sample, if any. */
  readonly exemplar?: {
    readonly labels: Readonly<Record<string, string>>;
    readonly value: number;
    readonly timestampMs?: number;
  };
}

/** A metric family: its metadata and samples in exposition order. */
export interface ParsedFamily {
  readonly name: string;
  /** `unknown` when the exposition declared no type (text `untyped` is reported as `unknown` too). */
  readonly type: MetricType;
  /** `''` when absent. */
  readonly help: string;
  /** `''` when absent (the text format has no units). */
  readonly unit: string;
  readonly samples: ParsedSample[];
}

const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created', ''],
  gauge: [''],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['', '_count', '_sum', '_created'],
  info: ['_info', ''],
  stateset: [''],
  unknown: [''],
};

interface MutableFamily {
  name: string;
  type: MetricType;
  help: string;
  unit: string;
  samples: ParsedSample[];
}

/**
 * Parses a whole exposition into plain objects — the convenient, allocating way for tools and tests; the
 * scrape loop uses the pull parsers instead. Samples join the family whose HELP/TYPE/UNIT named their
 * metric name or its type's suffixes (`_bucket`, `_total`, …); samples without metadata form a family of
 * their own name. `contentType` chooses the format as {@link createParser} does; when absent the body is
 * read as Prometheus text.
 *
 * @throws {ParseError} when the body is invalid.
 */
export function parseExposition(
  body: Uint8Array | string,
  contentType: string | undefined = 'text/plain; version=0.0.4',
  options?: CreateParserOptions,
): ParsedFamily[] {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const parser = createParser(bytes, contentType, options);
  const families: MutableFamily[] = [];
  const byName = new Map<string, MutableFamily>();
  let current: MutableFamily | undefined;

  const family = (name: string): MutableFamily => {
    let f = byName.get(name);
    if (f === undefined) {
      f = { name, type: 'unknown', help: '', unit: '', samples: [] };
      byName.set(name, f);
      families.push(f);
    }
    current = f;
    return f;
  };

  for (let kind = parser.next(); kind !== EntryKind.End; kind = parser.next()) {
    switch (kind) {
      case EntryKind.Help: {
        const h = parser.help();
        family(h.metricName).help = h.text;
        break;
      }
      case EntryKind.Type: {
        const t = parser.type();
        family(t.metricName).type = t.type;
        break;
      }
      case EntryKind.Unit: {
        const u = parser.unit();
        family(u.metricName).unit = u.unit;
        break;
      }
      case EntryKind.Series: {
        const labels = parser.labels();
        const name = labels.get('__name__');
        let f = current;
        if (f === undefined || !belongs(f, name)) f = byName.get(name) ?? family(name);
        current = f;
        const sample: {
          name: string;
          labels: Record<string, string>;
          value: number;
          timestampMs?: number;
          exemplar?: NonNullable<ParsedSample['exemplar']>;
        } = { name, labels: plainLabels(labels), value: parser.value() };
        const ts = parser.timestampMs();
        if (ts !== undefined) sample.timestampMs = ts;
        const ex = parser.exemplar();
        if (ex !== undefined) {
          sample.exemplar =
            ex.timestampMs === undefined
              ? { labels: ex.labels.toObject(), value: ex.value }
              : { labels: ex.labels.toObject(), value: ex.value, timestampMs: ex.timestampMs };
        }
        f.samples.push(sample);
        break;
      }
      default:
        break;
    }
  }
  return families;
}

/** The labels as an object without `__name__`, in one pass and without an intermediate label set. */
function plainLabels(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  const flat = labels.toFlat();
  for (let i = 0; i < flat.length; i += 2) if (flat[i] !== '__name__') out[flat[i]!] = flat[i + 1]!;
  return out;
}

function belongs(f: MutableFamily, name: string): boolean {
  if (!name.startsWith(f.name)) return false;
  return SUFFIXES[f.type].includes(name.slice(f.name.length));
}
