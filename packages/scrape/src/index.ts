/* Scrape engine */
export { createScrapeManager } from './scrape-manager.js';
export type { PoolTargets, ScrapeManager, ScrapeManagerOptions } from './scrape-manager.js';
export { endOfRunStaleness, scrapeLoop } from './scrape-loop.js';
export type { ParserFactory, ScrapeLoopOptions } from './scrape-loop.js';
export type { ScrapeReport } from './scrape-report.js';
export { ScrapeTarget } from './target.js';
export type { ActiveTargetInfo, DroppedTargetInfo, TargetHealth } from './target.js';
export { ScrapeCache } from './scrape-cache.js';
export { scrapeOffsetMs } from './offset.js';
export { targetsFromGroup } from './targets-from-groups.js';
export type { GroupTargets } from './targets-from-groups.js';
export { defaultParserFactory } from './parser-factory.js';
export { REPORT_METADATA } from './report-series.js';
export { belongsToFamily } from './metric-family.js';

/* HTTP */
export { acceptHeader } from './accept-header.js';
export { createHttpScraper } from './http-scraper.js';
export type {
  HttpScraper,
  HttpScraperOptions,
  ScrapeFn,
  ScrapeRequest,
  ScrapeResponse,
} from './http-scraper.js';

/* Metrics and errors */
export { noopScrapeMetrics } from './metrics.js';
export type { ScrapeMetrics } from './metrics.js';
export { ScrapeError } from './errors.js';
export type { ScrapeErrorCode } from './errors.js';

/* textparse */
export {
  createOpenMetricsParser,
  createParser,
  createTextParser,
  EntryKind,
  formatForContentType,
  formatForProtocol,
  formatOpenMetricsFloat,
  ParseError,
  parseExposition,
  UnsupportedContentTypeError,
} from './textparse/index.js';
export type {
  CreateParserOptions,
  ExpositionFormat,
  ExpositionParser,
  ParsedFamily,
  ParsedSample,
} from './textparse/index.js';
