/**
 * The base of every error scrapewire throws or reports. Branch on `code`, which is stable across
 * versions; messages may be improved at any time. `docs/errors.md` lists every code.
 */
export class ScrapewireError extends Error {
  override name = 'ScrapewireError';

  constructor(
    /** A stable machine-readable code, `SW_ERR_*`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Options given to a factory or constructor were invalid; `path` names the field. */
export class InvalidOptionsError extends ScrapewireError {
  override name = 'InvalidOptionsError';

  constructor(
    message: string,
    /** The dotted path of the offending field, e.g. `scrapeConfigs[2].scrapeTimeoutMs`. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super('SW_ERR_INVALID_OPTIONS', message, options);
  }
}
