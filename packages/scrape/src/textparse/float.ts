/**
 * Float parsing and formatting with Go's rules, because Prometheus reads sample values with
 * `strconv.ParseFloat` (after refusing `p`, `P` and `_`, i.e. hex floats and digit separators) and
 * writes `le`/`quantile` label values with `strconv.FormatFloat(f, 'g', -1, 64)`.
 */

// Exact powers of ten: every one up to 1e22 is representable, which is what makes the fast path exact.
export const POW10: readonly number[] = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/** Why the last {@link parseGoFloat} call failed; set only when it returns `undefined`. */
export let floatError = '';

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

function matchesWord(buf: Uint8Array, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (lower(buf[s + i]!) !== word.charCodeAt(i)) return false;
  return true;
}

function latin1(buf: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(buf[i]!);
  return out;
}

/**
 * Parses `buf[s:e]` as Go's `strconv.ParseFloat(x, 64)` would, minus hex floats and underscores (which
 * Prometheus rejects): optional sign, decimal mantissa with at least one digit, optional exponent;
 * `inf`/`infinity` with optional sign and `nan` without, case-insensitively. Out-of-range values are
 * errors, as in Go; underflow rounds to zero. Returns `undefined` and sets {@link floatError} on failure.
 */
export function parseGoFloat(buf: Uint8Array, s: number, e: number): number | undefined {
  let i = s;
  let neg = false;
  if (i < e && (buf[i] === 0x2b || buf[i] === 0x2d)) {
    neg = buf[i] === 0x2d;
    i++;
  }
  if (i >= e) return invalid(buf, s, e);
  const c0 = buf[i]!;
  if (c0 === 0x69 || c0 === 0x49) {
    if (matchesWord(buf, i, e, 'inf') || matchesWord(buf, i, e, 'infinity')) {
      return neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    return invalid(buf, s, e);
  }
  if (c0 === 0x6e || c0 === 0x4e) {
    // Go accepts no sign on NaN.
    if (i === s && matchesWord(buf, i, e, 'nan')) return Number.NaN;
    return invalid(buf, s, e);
  }
  // Decimal: digits [. digits] [e [sign] digits], at least one mantissa digit.
  let mant = 0;
  let sig = 0; // significant digits accumulated into mant (leading zeros excluded)
  let exact = true;
  let fracDigits = 0;
  let sawDigit = false;
  for (; i < e; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) break;
    sawDigit = true;
    if (mant !== 0 || c !== 0x30) {
      if (++sig > 15) exact = false;
      else mant = mant * 10 + (c - 0x30);
    }
  }
  if (i < e && buf[i] === 0x2e) {
    i++;
    for (; i < e; i++) {
      const c = buf[i]!;
      if (c < 0x30 || c > 0x39) break;
      sawDigit = true;
      fracDigits++;
      if (mant !== 0 || c !== 0x30) {
        if (++sig > 15) exact = false;
        else mant = mant * 10 + (c - 0x30);
      }
    }
  }
  if (!sawDigit) return invalid(buf, s, e);
  let exp = 0;
  if (i < e && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    let eneg = false;
    if (i < e && (buf[i] === 0x2b || buf[i] === 0x2d)) {
      eneg = buf[i] === 0x2d;
      i++;
    }
    const es = i;
    for (; i < e; i++) {
      const c = buf[i]!;
      if (c < 0x30 || c > 0x39) break;
      if (exp < 100_000) exp = exp * 10 + (c - 0x30);
    }
    if (i === es) return invalid(buf, s, e);
    if (eneg) exp = -exp;
  }
  if (i !== e) return invalid(buf, s, e);
  let v: number;
  const scale = exp - fracDigits;
  if (exact && scale >= -22 && scale <= 22) {
    // Clinger's fast path: both operands are exact doubles, so one IEEE operation rounds correctly.
    v = scale < 0 ? mant / POW10[-scale]! : mant * POW10[scale]!;
  } else {
    v = Number(latin1(buf, neg || buf[s] === 0x2b ? s + 1 : s, e));
    if (!Number.isFinite(v)) {
      floatError = `strconv.ParseFloat: parsing "${latin1(buf, s, e)}": value out of range`;
      return undefined;
    }
  }
  return neg ? -v : v;
}

function invalid(buf: Uint8Array, s: number, e: number): undefined {
  floatError = `strconv.ParseFloat: parsing "${latin1(buf, s, e)}": invalid syntax`;
  return undefined;
}

/** Parses a JavaScript string with {@link parseGoFloat}'s rules. */
export function parseGoFloatString(text: string): number | undefined {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return undefined;
    bytes[i] = c;
  }
  return parseGoFloat(bytes, 0, bytes.length);
}

/**
 * Formats a float as Prometheus's `labels.FormatOpenMetricsFloat`: `NaN`, `+Inf`, `-Inf`, otherwise Go's
 * shortest `%g` form with `.0` appended when it has neither a point nor an exponent (`1` → `1.0`,
 * `1e+06` stays).
 */
export function formatOpenMetricsFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Number.POSITIVE_INFINITY) return '+Inf';
  if (f === Number.NEGATIVE_INFINITY) return '-Inf';
  const s = formatGoFloatG(f);
  return s.includes('e') || s.includes('.') ? s : `${s}.0`;
}

/** Go's `strconv.FormatFloat(f, 'g', -1, 64)` for finite `f`. */
export function formatGoFloatG(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  // toExponential() without an argument gives the shortest round-tripping digits, like Go's -1 precision.
  const ex = f.toExponential();
  const ePos = ex.indexOf('e');
  let mant = ex.slice(0, ePos);
  const exp = Number(ex.slice(ePos + 1));
  const neg = mant.startsWith('-');
  if (neg) mant = mant.slice(1);
  const digits = mant.replace('.', '');
  // With shortest formatting Go decides on precision 6: %e when the exponent is < -4 or >= 6.
  const eprec = 6;
  let out: string;
  if (exp < -4 || exp >= eprec) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    out = `${m}e${exp < 0 ? '-' : '+'}${ae < 10 ? `0${ae}` : ae}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${out}` : out;
}
