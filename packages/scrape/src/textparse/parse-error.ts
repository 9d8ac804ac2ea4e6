import { ScrapewireError } from '@scrapewire/model';

/**
 * An exposition body could not be parsed. `line` and `column` are 1-based and point at the byte where the
 * parser gave up (the column counts bytes, not characters); `reason` is the message without the position.
 * Prometheus fails the whole scrape on any parse error, and so does scrapewire.
 */
export class ParseError extends ScrapewireError {
  override name = 'ParseError';

  constructor(
    /** What is wrong, without the position, e.g. `expected label value, got "x"`. */
    readonly reason: string,
    /** 1-based line of the problem. */
    readonly line: number,
    /** 1-based byte column of the problem within its line. */
    readonly column: number,
  ) {
    super('SW_ERR_PARSE', `line ${line}, column ${column}: ${reason}`);
  }
}

/**
 * Builds a {@link ParseError} for byte offset `pos` of `buf`. Line numbers are computed only here, on the
 * error path, so that the hot loop never counts newlines.
 */
export function parseErrorAt(buf: Uint8Array, pos: number, reason: string): ParseError {
  const end = Math.min(Math.max(pos, 0), buf.length);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    if (buf[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return new ParseError(reason, line, end - lineStart + 1);
}
