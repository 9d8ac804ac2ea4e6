import { ScrapewireError } from '@scrapewire/model';

/**
 * Stable codes of the errors discovery reports. Providers never fail their Observable for a bad file or a
 * failed HTTP refresh (they keep the last good groups); these errors reach the logger and the metrics.
 */
export const DiscoveryErrorCode = {
  /** A file_sd file could not be read or parsed. */
  FileRead: 'SW_ERR_SD_FILE_READ',
  /** An http_sd refresh failed: connection error, non-200 status, wrong content type, bad body. */
  HttpRefresh: 'SW_ERR_SD_HTTP_REFRESH',
  /** A JSON/YAML target group list did not have the shape Prometheus accepts. */
  InvalidTargetGroups: 'SW_ERR_SD_INVALID_TARGET_GROUPS',
  /** A job lists an SD mechanism the registry has no factory for. */
  UnknownMechanism: 'SW_ERR_SD_UNKNOWN_MECHANISM',
  /** A provider's factory threw or its Observable errored. */
  ProviderFailed: 'SW_ERR_SD_PROVIDER_FAILED',
} as const;

/** The union of {@link DiscoveryErrorCode} values. */
export type DiscoveryErrorCode = (typeof DiscoveryErrorCode)[keyof typeof DiscoveryErrorCode];

/** An error raised by a discovery provider or the discovery manager; branch on `code`. */
export class DiscoveryError extends ScrapewireError {
  override name = 'DiscoveryError';
  constructor(code: DiscoveryErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
