/**
 * Options given to a prom-client adapter were invalid; `path` names the field.
 *
 * It carries the same stable `code` as `@scrapewire/model`'s `InvalidOptionsError`
 * (`SW_ERR_INVALID_OPTIONS`), so branch on `code`. It does not extend model's `ScrapewireError` because
 * this package depends on nothing else in scrapewire (see the repo's boundary test).
 */
export class KubeClientMetricsOptionsError extends Error {
  override name = 'KubeClientMetricsOptionsError';
  /** The stable error code. */
  readonly code = 'SW_ERR_INVALID_OPTIONS';

  constructor(
    message: string,
    /** The dotted path of the offending option, e.g. `durationBuckets[2]`. */
    readonly path: string,
  ) {
    super(message);
  }
}
