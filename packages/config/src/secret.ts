import { inspect } from 'node:util';

const REDACTED = '<secret>';

/**
 * A secret string from the configuration (`password`, `credentials`, `client_secret`, …). It prints,
 * serialises and inspects as `<secret>`, so a config dump, a log line or the status API never leaks it;
 * only {@link Secret.reveal} returns the value, at the point where it is sent.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret value. Call only where it is used (an Authorization header, a token request). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * A secret given either inline or as a file (`password` / `password_file`). A file is read each time the
 * secret is used, so a rotated token file is picked up without a reload.
 */
export type SecretSource = { readonly inline: Secret } | { readonly file: string };
