import { ScrapewireError } from '@scrapewire/model';

/**
 * A request to the Kubernetes API server failed: a connection error, or a non-2xx answer (`statusCode`).
 * Discovery reports it (logger, metrics) and retries; it never ends the stream.
 */
export class KubernetesApiError extends ScrapewireError {
  override name = 'KubernetesApiError';

  constructor(
    message: string,
    /** The HTTP status, when the server answered. */
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super('SW_ERR_KUBERNETES_API', message, options);
  }
}

/** A watch delivered nothing (not even a bookmark) for longer than the inactivity timeout. */
export class WatchInactivityError extends ScrapewireError {
  override name = 'WatchInactivityError';

  constructor(
    message: string,
    /** The configured timeout. */
    readonly timeoutMs: number,
  ) {
    super('SW_ERR_KUBERNETES_WATCH_INACTIVE', message);
  }
}
