import { InvalidOptionsError, type Labels } from '@scrapewire/model';
import { RE2JS } from 're2js';

/** The four PromQL label-matcher operators. */
export type MatchType = '=' | '!=' | '=~' | '!~';

/** A label matcher as written in a selector: `name op "value"`. */
export interface LabelMatcherSpec {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/**
 * A compiled label matcher. Regular expressions use RE2 syntax and are fully anchored, as in
 * Prometheus: `job=~"api"` matches `api` but not `api-2`. An absent label matches as the empty string,
 * so `foo=""` selects series without `foo`.
 */
export class LabelMatcher {
  readonly #re: RE2JS | undefined;

  private constructor(
    readonly name: string,
    readonly type: MatchType,
    readonly value: string,
  ) {
    if (type === '=~' || type === '!~') {
      try {
        // re2js' `matches` already requires the whole input to match; the explicit group keeps
        // alternations like `a|b` from escaping the anchoring if that ever changes.
        this.#re = RE2JS.compile(`^(?:${value})$`);
      } catch (err) {
        throw new InvalidOptionsError(
          `invalid regular expression ${JSON.stringify(value)} for label ${name}`,
          'matchers',
          {
            cause: err,
          },
        );
      }
    }
  }

  /** Compiles one matcher; throws {@link InvalidOptionsError} for a bad regular expression. */
  static of(name: string, type: MatchType, value: string): LabelMatcher {
    return new LabelMatcher(name, type, value);
  }

  /** Compiles a list of matcher specs (or passes compiled matchers through). */
  static compileAll(specs: readonly (LabelMatcherSpec | LabelMatcher)[]): LabelMatcher[] {
    return specs.map((s) => (s instanceof LabelMatcher ? s : new LabelMatcher(s.name, s.type, s.value)));
  }

  /** True when the label value (`''` when absent) satisfies this matcher. */
  matchesValue(v: string): boolean {
    switch (this.type) {
      case '=':
        return v === this.value;
      case '!=':
        return v !== this.value;
      case '=~':
        return this.#re!.matches(v);
      case '!~':
        return !this.#re!.matches(v);
    }
  }

  /** True when the label set satisfies this matcher. */
  matches(labels: Labels): boolean {
    return this.matchesValue(labels.get(this.name));
  }

  /** `name="value"` in PromQL notation. */
  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}

/** True when `labels` satisfies every matcher (an empty list matches everything). */
export function matchesAll(matchers: readonly LabelMatcher[], labels: Labels): boolean {
  for (const m of matchers) if (!m.matches(labels)) return false;
  return true;
}
