import type { ScrapeProtocol } from '@scrapewire/config';
import type { ParserFactory } from './scrape-loop.js';
import type { ExpositionParser } from './textparse/parser.js';
import { createTextParser } from './textparse/prom-parser.js';

/** The media type of a Content-Type header, lower-cased, without parameters. */
function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function forProtocol(body: Uint8Array, p: ScrapeProtocol): ExpositionParser | undefined {
  if (p === 'PrometheusText0.0.4' || p === 'PrometheusText1.0.0') return createTextParser(body);
  return undefined;
}

/**
 * Chooses the exposition parser from the response's Content-Type, as Prometheus v3 does: the media type
 * selects the format; a blank or unknown one uses the job's `fallback_scrape_protocol`, and without a
 * fallback the scrape fails.
 */
export const defaultParserFactory: ParserFactory = (body, contentType, fallback) => {
  const mt = mediaType(contentType);
  if (mt === 'text/plain') return createTextParser(body);
  const viaFallback = fallback !== undefined ? forProtocol(body, fallback) : undefined;
  if (viaFallback) return viaFallback;
  if (mt === '') {
    throw new Error(
      'non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target',
    );
  }
  throw new Error(
    `received unsupported Content-Type ${JSON.stringify(contentType)} and no fallback_scrape_protocol specified for target`,
  );
};
