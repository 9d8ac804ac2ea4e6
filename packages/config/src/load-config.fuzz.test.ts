import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ConfigError } from './errors.js';
import { loadConfig } from './load-config.js';

const fixtures = join(import.meta.dirname, '..', 'test', 'fixtures');
const good = readdirSync(fixtures)
  .filter((f) => f.endsWith('.good.yml'))
  .map((f) => parse(readFileSync(join(fixtures, f), 'utf8')) as unknown)
  .filter((v) => v !== null);

/** Either a config or a ConfigError: anything else (a TypeError, say) is a loader bug. */
function loadsOrConfigError(text: string): void {
  try {
    loadConfig(text, { env: {} });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
  }
}

/** Replaces the value at a random path of `doc` with `replacement`. */
function mutate(doc: unknown, pathSeed: number[], replacement: unknown): unknown {
  if (pathSeed.length === 0 || doc === null || typeof doc !== 'object') return replacement;
  const [head, ...rest] = pathSeed;
  if (Array.isArray(doc)) {
    if (doc.length === 0) return replacement;
    const i = head! % doc.length;
    return doc.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
  }
  const keys = Object.keys(doc);
  if (keys.length === 0) return replacement;
  const k = keys[head! % keys.length]!;
  return {
    ...(doc as Record<string, unknown>),
    [k]: mutate((doc as Record<string, unknown>)[k], rest, replacement),
  };
}

describe('loadConfig robustness', () => {
  it('throws only ConfigError for arbitrary YAML', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        loadsOrConfigError(stringify(v));
        loadsOrConfigError(stringify({ scrape_configs: [v] }));
        loadsOrConfigError(stringify({ remote_write: [v], global: v }));
      }),
      { numRuns: 300 },
    );
  });

  it('throws only ConfigError for mutated real configs', () => {
    const scalars = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -5, max: 5 }),
      fc.constantFrom('', '1m', '0', 'x', '10MB', 'http://a/b', '(', 'pod', 'TLS12'),
      fc.constant([]),
      fc.constant({}),
      fc.constant([null]),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...good),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        scalars,
        (doc, path, replacement) => {
          loadsOrConfigError(stringify(mutate(doc, path, replacement)));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
