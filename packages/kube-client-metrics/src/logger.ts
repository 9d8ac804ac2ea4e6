/**
 * The only logging this package does: a warning when registration is refused or a hook throws.
 *
 * Declared here rather than taken from `@scrapewire/model` so the package depends on nothing else in
 * scrapewire. It is the `warn` method of model's `Logger` and of pino's loggers, so either can be passed.
 */
export interface KubeClientMetricsLogger {
  warn(obj: object, msg?: string): void;
}

/** Discards every warning: the default wherever a logger is optional. */
export const silentLogger: KubeClientMetricsLogger = Object.freeze({ warn: () => {} });
