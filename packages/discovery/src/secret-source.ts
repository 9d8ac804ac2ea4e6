import { readFile } from 'node:fs/promises';
import type { Secret, SecretSource } from '@scrapewire/config';

/**
 * Reads a secret given inline or as a file. A file is read on every call, so a rotated credentials file is
 * picked up at the next refresh; its content is trimmed of surrounding whitespace, as Prometheus does.
 */
export async function readSecretSource(source: SecretSource): Promise<string> {
  if ('inline' in source) return source.inline.reveal();
  return (await readFile(source.file, 'utf8')).trim();
}

/** Reads a plain file that holds one value (e.g. `username_file`), trimmed. */
export async function readTrimmedFile(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).trim();
}

/** The value of an inline {@link Secret}. */
export function revealSecret(secret: Secret): string {
  return secret.reveal();
}
