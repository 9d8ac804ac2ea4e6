/**
 * The logging interface library packages accept. Structured first argument, message second — the shape
 * of pino's methods, so a pino logger can be passed as it is. Libraries never log through anything else.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** A logger that discards everything: the default wherever a logger is optional. */
export const noopLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });
