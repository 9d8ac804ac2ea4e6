import type { ParserFactory } from './scrape-loop.js';
import { createParser } from './textparse/index.js';

/**
 * Chooses the exposition parser from the response's Content-Type, as Prometheus v3 does: the media type
 * selects the format; a blank or unknown one uses the job's `fallback_scrape_protocol`, and without a
 * fallback the scrape fails (`SW_ERR_CONTENT_TYPE`).
 */
export const defaultParserFactory: ParserFactory = (body, contentType, fallback) =>
  createParser(body, contentType, fallback !== undefined ? { fallback } : {});
