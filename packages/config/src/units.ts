/**
 * Prometheus's value syntaxes for durations (`1h30m`, `15s`, `0`) and sizes (`512MB`, base-2).
 *
 * Both return `undefined`-free results or throw a plain `Error` whose message the loader wraps into a
 * {@link ConfigError} with the position of the offending value.
 */

const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ['y', 365 * 24 * 3600 * 1000],
  ['w', 7 * 24 * 3600 * 1000],
  ['d', 24 * 3600 * 1000],
  ['h', 3600 * 1000],
  ['m', 60 * 1000],
  ['s', 1000],
  ['ms', 1],
];

// Units must appear in this order, each at most once; `ms` is listed after `m`/`s` so that `5ms` is not
// read as five minutes followed by garbage.
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Go's time.Duration is an int64 of nanoseconds; Prometheus rejects anything larger. */
const MAX_DURATION_MS = Number(2n ** 63n - 1n) / 1e6;

/**
 * Parses Prometheus's `<duration>`: units `y w d h m s ms` in that order, or the bare `0`.
 *
 * @returns milliseconds
 * @throws Error with a Prometheus-like message for anything else
 */
export function parseDuration(text: string): number {
  if (text === '') throw new Error('empty duration string');
  if (text === '0') return 0;
  const m = DURATION_RE.exec(text);
  if (!m) throw new Error(`not a valid duration string: ${JSON.stringify(text)}`);
  let ms = 0;
  DURATION_UNITS.forEach(([, size], i) => {
    const n = m[i + 1];
    if (n !== undefined) ms += Number(n) * size;
  });
  if (ms > MAX_DURATION_MS) throw new Error(`duration out of range: ${JSON.stringify(text)}`);
  return ms;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 2 ** 10,
  KiB: 2 ** 10,
  MB: 2 ** 20,
  MiB: 2 ** 20,
  GB: 2 ** 30,
  GiB: 2 ** 30,
  TB: 2 ** 40,
  TiB: 2 ** 40,
  PB: 2 ** 50,
  PiB: 2 ** 50,
  EB: 2 ** 60,
  EiB: 2 ** 60,
};

/**
 * Parses Prometheus's `<size>` (`body_size_limit`): a number with a unit, base 2 (`1KB` is 1024 bytes).
 * Like the Go `units` package, a sequence such as `1GB512MB` is summed and fractions are allowed;
 * the unit is required.
 *
 * @returns bytes
 */
export function parseSize(text: string): number {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)([A-Za-z]*)/y;
  let total = 0;
  let pos = 0;
  if (text === '') throw new Error('units: invalid size ""');
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new Error(`units: invalid size ${JSON.stringify(text)}`);
    const unit = m[2]!;
    if (unit === '') throw new Error(`units: missing unit in ${JSON.stringify(text)}`);
    const size = SIZE_UNITS[unit];
    if (size === undefined) throw new Error(`units: unknown unit ${unit} in ${JSON.stringify(text)}`);
    total += Number(m[1]) * size;
    pos = re.lastIndex;
  }
  return Math.floor(total);
}

/** Prints bytes the way the size syntax reads them back (`512MB`, `1KB`, `100B`). */
export function formatSize(bytes: number): string {
  if (bytes === 0) return '0B';
  for (const unit of ['EB', 'PB', 'TB', 'GB', 'MB', 'KB']) {
    const size = SIZE_UNITS[unit]!;
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
