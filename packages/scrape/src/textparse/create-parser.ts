import type { ScrapeProtocol } from '@scrapewire/config';
import { ScrapewireError } from '@scrapewire/model';
import { createOpenMetricsParser } from './openmetrics-parser.js';
import type { ExpositionParser } from './parser.js';
import { createTextParser } from './prom-parser.js';

/** Options of {@link createParser}. */
export interface CreateParserOptions {
  /**
   * The protocol to assume when the Content-Type is blank, unparsable or not one scrapewire parses
   * (Prometheus's `fallback_scrape_protocol`). Without it such a response is an error, as in Prometheus 3.
   */
  readonly fallback?: ScrapeProtocol | undefined;
}

/**
 * The response's Content-Type named no format scrapewire can parse, and no fallback protocol was given.
 * Code `SW_ERR_CONTENT_TYPE`.
 */
export class UnsupportedContentTypeError extends ScrapewireError {
  override name = 'UnsupportedContentTypeError';

  constructor(
    /** The Content-Type header as received (`''` when blank or absent). */
    readonly contentType: string,
    message: string,
  ) {
    super('SW_ERR_CONTENT_TYPE', message);
  }
}

/** The formats {@link createParser} can choose. */
export type ExpositionFormat = 'text' | 'openmetrics';

/**
 * The format a Content-Type selects, `undefined` for a blank, unparsable or unsupported one (protobuf
 * included: scrapewire has no protobuf parser, so only a fallback can rescue such a response).
 * Parameters are not consulted: like Prometheus, any `text/plain` is the text format and any
 * `application/openmetrics-text` is OpenMetrics, whatever its version.
 */
export function formatForContentType(contentType: string | undefined): ExpositionFormat | undefined {
  if (contentType === undefined) return undefined;
  const semi = contentType.indexOf(';');
  const media = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (media === 'text/plain') return 'text';
  if (media === 'application/openmetrics-text') return 'openmetrics';
  return undefined;
}

/** The format of a scrape protocol, `undefined` for protobuf. */
export function formatForProtocol(protocol: ScrapeProtocol): ExpositionFormat | undefined {
  switch (protocol) {
    case 'PrometheusText0.0.4':
    case 'PrometheusText1.0.0':
      return 'text';
    case 'OpenMetricsText0.0.1':
    case 'OpenMetricsText1.0.0':
      return 'openmetrics';
    default:
      return undefined;
  }
}

/**
 * Chooses the parser for a scrape response by its Content-Type, as Prometheus 3 does: `text/plain` (any
 * version, or none) → Prometheus text; `application/openmetrics-text` → strict OpenMetrics; anything else,
 * blank or absent → `options.fallback` if given, otherwise an {@link UnsupportedContentTypeError}.
 *
 * @throws {UnsupportedContentTypeError} when no parser applies.
 */
export function createParser(
  body: Uint8Array,
  contentType: string | undefined,
  options: CreateParserOptions = {},
): ExpositionParser {
  let format = formatForContentType(contentType);
  if (format === undefined) {
    const ct = contentType?.trim() ?? '';
    if (options.fallback !== undefined) {
      format = formatForProtocol(options.fallback);
      if (format === undefined) {
        throw new UnsupportedContentTypeError(
          ct,
          `fallback scrape protocol ${options.fallback} is not supported (no protobuf parser) for Content-Type ${JSON.stringify(ct)}`,
        );
      }
    } else if (ct === '') {
      throw new UnsupportedContentTypeError(
        ct,
        'non-compliant scrape target sending blank Content-Type and no fallback scrape protocol specified for target',
      );
    } else {
      throw new UnsupportedContentTypeError(
        ct,
        `received unsupported Content-Type ${JSON.stringify(ct)} and no fallback scrape protocol specified for target`,
      );
    }
  }
  return format === 'text' ? createTextParser(body) : createOpenMetricsParser(body);
}
