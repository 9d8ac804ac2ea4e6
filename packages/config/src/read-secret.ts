import { readFile } from 'node:fs/promises';
import type { SecretSource } from './secret.js';

/**
 * Returns a secret's value: the inline one, or the content of its file with surrounding whitespace
 * trimmed (as Prometheus does, so a trailing newline in a token file is harmless). Files are read on
 * every call, so rotated credentials are picked up without a reload.
 *
 * @throws the file system error when the file cannot be read
 */
export async function readSecret(source: SecretSource): Promise<string> {
  if ('inline' in source) return source.inline.reveal();
  const content = await readFile(source.file, 'utf8');
  return content.trim();
}
