/**
 * Parsing of Prometheus duration strings (`1h30m`, `15s`, `0`), as `model.ParseDuration` in
 * prometheus/common does it, for the `__scrape_interval__`/`__scrape_timeout__` labels that
 * relabeling may rewrite. Units must appear from largest to smallest, each at most once.
 */

const UNITS: ReadonlyMap<string, { pos: number; ms: bigint }> = new Map([
  ['y', { pos: 1, ms: 365n * 24n * 3600n * 1000n }],
  ['w', { pos: 2, ms: 7n * 24n * 3600n * 1000n }],
  ['d', { pos: 3, ms: 24n * 3600n * 1000n }],
  ['h', { pos: 4, ms: 3600n * 1000n }],
  ['m', { pos: 5, ms: 60n * 1000n }],
  ['s', { pos: 6, ms: 1000n }],
  ['ms', { pos: 7, ms: 1n }],
]);
// Go keeps durations in int64 nanoseconds.
const MAX_NS = (1n << 63n) - 1n;

// Every target of a job carries the same few interval/timeout strings: remember their values.
const cache = new Map<string, number>();

/** Parses a Prometheus duration into milliseconds; throws an `Error` with Prometheus's message. */
export function parsePrometheusDuration(s: string): number {
  const hit = cache.get(s);
  if (hit !== undefined) return hit;
  const ms = parseUncached(s);
  if (cache.size < 1024) cache.set(s, ms);
  return ms;
}

function parseUncached(s: string): number {
  if (s === '0') return 0;
  if (s === '') throw new Error('empty duration string');
  const invalid = () => new Error(`not a valid duration string: ${goQuote(s)}`);
  let rest = s;
  let lastPos = 0;
  let totalMs = 0n;
  while (rest !== '') {
    const num = /^[0-9]+/.exec(rest);
    if (num === null) throw invalid();
    rest = rest.slice(num[0].length);
    const unitMatch = /^[^0-9]+/.exec(rest);
    if (unitMatch === null) throw invalid();
    const u = unitMatch[0];
    rest = rest.slice(u.length);
    const unit = UNITS.get(u);
    if (unit === undefined) throw new Error(`unknown unit ${goQuote(u)} in duration ${goQuote(s)}`);
    if (unit.pos <= lastPos) throw invalid();
    lastPos = unit.pos;
    totalMs += BigInt(num[0]) * unit.ms;
    if (totalMs * 1_000_000n > MAX_NS) throw new Error('duration out of range');
  }
  return Number(totalMs);
}

/** Quotes a string roughly as Go's `%q` does, for error messages that mirror Prometheus's. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}
