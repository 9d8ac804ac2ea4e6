import { ScrapewireError } from '@scrapewire/model';

/**
 * Why one scrape failed. Stable across versions; branch on these, not on messages.
 *
 * - `SW_ERR_SCRAPE_HTTP_STATUS`: the target answered with a status other than 200.
 * - `SW_ERR_SCRAPE_TIMEOUT`: request and body did not finish within `scrape_timeout`.
 * - `SW_ERR_SCRAPE_TRANSPORT`: connection, TLS, DNS, redirect or body-stream failure.
 * - `SW_ERR_BODY_SIZE_LIMIT`: the (decompressed) body reached `body_size_limit`.
 * - `SW_ERR_CONTENT_TYPE`: no parser for the response's Content-Type and no fallback protocol.
 * - `SW_ERR_PARSE`: the exposition body is malformed.
 * - `SW_ERR_SAMPLE_LIMIT`: more samples than `sample_limit` after metric relabeling.
 * - `SW_ERR_LABEL_LIMIT`: a series broke `label_limit`, `label_name_length_limit` or `label_value_length_limit`.
 * - `SW_ERR_TARGET_LIMIT`: the job has more targets than `target_limit`; no target of it is scraped.
 * - `SW_ERR_INVALID_SERIES`: a series has no metric name or an invalid metric/label name.
 * - `SW_ERR_APPEND`: the storage failed in a way that aborts the scrape (not a per-sample rejection).
 */
export type ScrapeErrorCode =
  | 'SW_ERR_SCRAPE_HTTP_STATUS'
  | 'SW_ERR_SCRAPE_TIMEOUT'
  | 'SW_ERR_SCRAPE_TRANSPORT'
  | 'SW_ERR_BODY_SIZE_LIMIT'
  | 'SW_ERR_CONTENT_TYPE'
  | 'SW_ERR_PARSE'
  | 'SW_ERR_SAMPLE_LIMIT'
  | 'SW_ERR_LABEL_LIMIT'
  | 'SW_ERR_TARGET_LIMIT'
  | 'SW_ERR_INVALID_SERIES'
  | 'SW_ERR_APPEND';

/**
 * One failed scrape. A failed scrape is data, not a stream error: it arrives in a {@link ScrapeReport}
 * with `up = false`, and the loop carries on with the next interval. The message follows Prometheus's
 * wording, so `lastError` reads the same as in Prometheus's targets page; `url` names the target.
 */
export class ScrapeError extends ScrapewireError {
  override name = 'ScrapeError';

  constructor(
    override readonly code: ScrapeErrorCode,
    message: string,
    /** The scrape URL of the target that failed, when known. */
    readonly url?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
