import { Labels } from '@scrapewire/model';
import { LabelMatcher, type LabelMatcherSpec, matchesAll } from '@scrapewire/storage';

/** A `match[]` selector that could not be parsed; the message says where. */
export class SeriesSelectorError extends Error {
  override name = 'SeriesSelectorError';
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;

/**
 * Parses a PromQL series selector — `up`, `{job="node"}`, `http_requests_total{code=~"5..",method!="GET"}`,
 * `{"utf8.name"="x"}` — into label matchers, as Prometheus's `/federate` takes them in `match[]`.
 *
 * Hand-written because only this small corner of PromQL is needed: the full PromQL grammars published for
 * JavaScript are editor CST parsers, far heavier than a selector. Strings follow PromQL: double, single or
 * back quotes, with Go escapes in the first two.
 */
export function parseSeriesSelector(input: string): LabelMatcherSpec[] {
  let i = 0;
  const fail = (msg: string): never => {
    throw new SeriesSelectorError(`parse error at char ${i + 1}: ${msg} in ${JSON.stringify(input)}`);
  };
  const skipSpace = () => {
    while (i < input.length && /\s/.test(input[i]!)) i++;
  };
  const ident = (): string => {
    const start = i;
    if (!NAME_START.test(input[i] ?? '')) fail('expected a name');
    while (i < input.length && NAME_CHAR.test(input[i]!)) i++;
    return input.slice(start, i);
  };
  const string = (): string => {
    const quote = input[i];
    if (quote !== '"' && quote !== "'" && quote !== '`') return fail('expected a quoted string');
    i++;
    let out = '';
    while (i < input.length && input[i] !== quote) {
      const c = input[i]!;
      if (c === '\\' && quote !== '`') {
        const e = input[++i];
        const simple: Record<string, string> = {
          n: '\n',
          t: '\t',
          r: '\r',
          '\\': '\\',
          '"': '"',
          "'": "'",
          a: '\x07',
          b: '\b',
          f: '\f',
          v: '\v',
        };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i++;
        } else if (e === 'x' || e === 'u' || e === 'U') {
          const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
          const hex = input.slice(i + 1, i + 1 + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail('invalid escape');
          out += String.fromCodePoint(Number.parseInt(hex, 16));
          i += 1 + len;
        } else {
          fail(`unknown escape sequence \\${e ?? ''}`);
        }
        continue;
      }
      out += c;
      i++;
    }
    if (i >= input.length) fail('unterminated quoted string');
    i++;
    return out;
  };

  const matchers: LabelMatcherSpec[] = [];
  skipSpace();
  if (i < input.length && input[i] !== '{') {
    matchers.push({ name: '__name__', type: '=', value: ident() });
    skipSpace();
  }
  if (input[i] === '{') {
    i++;
    skipSpace();
    while (input[i] !== '}') {
      if (i >= input.length) fail('unexpected end of input');
      const name = input[i] === '"' || input[i] === "'" ? string() : ident();
      skipSpace();
      const op = input.startsWith('=~', i)
        ? '=~'
        : input.startsWith('!~', i)
          ? '!~'
          : input.startsWith('!=', i)
            ? '!='
            : input[i] === '='
              ? '='
              : undefined;
      if (!op) {
        // A lone quoted name is a metric name in UTF-8 selectors: {"my.metric"}.
        if (input[i] === ',' || input[i] === '}') {
          matchers.push({ name: '__name__', type: '=', value: name });
        } else {
          fail('expected a label matching operator');
        }
      } else {
        i += op.length;
        skipSpace();
        matchers.push({ name, type: op, value: string() });
      }
      skipSpace();
      if (i >= input.length) fail('unexpected end of input');
      if (input[i] === ',') {
        i++;
        skipSpace();
      } else if (input[i] !== '}') {
        fail('expected "," or "}"');
      }
    }
    i++;
    skipSpace();
  }
  if (i < input.length) fail('unexpected characters after the selector');
  // Prometheus refuses selectors that would match every series, e.g. {} or {job=~".*"}.
  let compiled: LabelMatcher[];
  try {
    compiled = LabelMatcher.compileAll(matchers);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  if (matchesAll(compiled, Labels.EMPTY)) fail('vector selector must contain at least one non-empty matcher');
  return matchers;
}
