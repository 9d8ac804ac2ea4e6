import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  parseDocument,
  Scalar,
} from 'yaml';
import { ConfigError } from './errors.js';

/** One parsed YAML document plus what is needed to turn node offsets into `file:line:column`. */
export interface YamlSource {
  readonly text: string;
  readonly file: string | undefined;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
}

/**
 * Parses YAML text the way Go's yaml.v2 reads Prometheus files: YAML 1.1 scalars (`yes`/`no` are
 * booleans), duplicate keys rejected, merge keys (`<<: *anchor`) allowed.
 *
 * @throws {ConfigError} on a syntax error, with its line and column
 */
export function parseYaml(text: string, file: string | undefined): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    version: '1.1',
    merge: true,
    uniqueKeys: true,
    prettyErrors: false,
  });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new ConfigError(`yaml: ${first.message.split('\n')[0]}`, { file, line: pos.line, column: pos.col });
  }
  return { text, file, doc, lineCounter };
}

/** The YAML type name Go's yaml.v2 would print for a node, for `cannot unmarshal` messages. */
function tagOf(node: YamlNode | null): string {
  if (node === null) return '!!null';
  if (isMap(node)) return '!!map';
  if (isSeq(node)) return '!!seq';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return '!!null';
    if (typeof v === 'boolean') return '!!bool';
    if (typeof v === 'number') return Number.isInteger(v) ? '!!int' : '!!float';
    return '!!str';
  }
  return '!!unknown';
}

/**
 * A YAML value with where it is: the node (after resolving aliases), the field path in
 * Prometheus's snake_case (`scrape_configs[2].relabel_configs[0].regex`) and the source position.
 * Every accessor checks the type the way Go's strict unmarshal does and throws a located
 * {@link ConfigError}.
 */
export class Field {
  readonly node: YamlNode | null;

  constructor(
    readonly src: YamlSource,
    node: YamlNode | null | undefined,
    readonly path: string,
    /** Where to point when the value itself is absent (`key:` with nothing after it). */
    readonly anchor?: YamlNode | null,
  ) {
    let n = node ?? null;
    // Aliases point at an anchored node elsewhere; resolve them so callers see the value.
    for (let i = 0; n !== null && isAlias(n) && i < 100; i++)
      n = (n.resolve(src.doc) as YamlNode | undefined) ?? null;
    this.node = n;
  }

  /** The root of a document. */
  static root(src: YamlSource): Field {
    return new Field(src, (src.doc.contents as YamlNode | null) ?? null, '');
  }

  /** True for an absent value, `~` or `null`. */
  get isNull(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null);
  }

  /** Throws a {@link ConfigError} located at this value. */
  fail(reason: string, path: string = this.path): never {
    throw this.error(reason, path);
  }

  /** A {@link ConfigError} located at this value. */
  error(reason: string, path: string = this.path): ConfigError {
    const target = this.node?.range ? this.node : (this.anchor ?? null);
    const offset = target?.range?.[0];
    const pos = offset !== undefined ? this.src.lineCounter.linePos(offset) : undefined;
    return new ConfigError(reason, { file: this.src.file, line: pos?.line, column: pos?.col, path });
  }

  private child(node: YamlNode | null, path: string, anchor: YamlNode | null): Field {
    return new Field(this.src, node, path, anchor);
  }

  private childPath(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /**
   * Reads a mapping with a fixed set of keys (Go's strict unmarshal into a struct). `null` reads as an
   * empty mapping, like yaml.v2 leaves a struct at its zero value.
   *
   * @param typeName how the error names the structure, e.g. `scrape_config`
   */
  struct(typeName: string, known: readonly string[]): Map<string, Field> {
    const out = new Map<string, Field>();
    if (this.isNull) return out;
    const allowed = new Set(known);
    for (const [key, f] of this.entries(`into ${typeName}`)) {
      if (!allowed.has(key)) {
        const hint = closest(key, known);
        new Field(this.src, f.anchor, f.path).fail(
          `field ${key} not found in type ${typeName}${hint ? ` (did you mean ${hint}?)` : ''}`,
        );
      }
      out.set(key, f);
    }
    return out;
  }

  /**
   * The entries of a mapping in source order, with merge keys (`<<`) expanded; explicit keys win over
   * merged ones, as in yaml.v2. Keys are read as strings.
   */
  entries(into = 'into map'): [string, Field][] {
    if (this.isNull) return [];
    const node = this.node;
    if (!isMap(node)) this.fail(`cannot unmarshal ${tagOf(node)} ${into}`);
    const explicit: [string, Field][] = [];
    const merged: [string, Field][] = [];
    for (const pair of node.items) {
      const keyNode = (pair.key ?? null) as YamlNode | null;
      const keyText = keyNode === null ? '' : this.scalarText(keyNode);
      const valueNode = (pair.value ?? null) as YamlNode | null;
      if (keyText === '<<' && isScalar(keyNode) && keyNode.type === Scalar.PLAIN) {
        const sources = new Field(this.src, valueNode, this.path, keyNode);
        const list = sources.node && isSeq(sources.node) ? sources.list() : [sources];
        for (const s of list) {
          if (!s.node || !isMap(s.node)) s.fail('map merge requires map or sequence of maps as the value');
          for (const e of s.entries(into)) merged.push(e);
        }
        continue;
      }
      explicit.push([keyText, this.child(valueNode, this.childPath(keyText), keyNode)]);
    }
    const seen = new Set(explicit.map(([k]) => k));
    const out = [...explicit];
    for (const e of merged) {
      if (seen.has(e[0])) continue;
      seen.add(e[0]);
      out.push(e);
    }
    return out;
  }

  /** Reads a sequence; `null` reads as empty. Entries may be null (callers decide whether that is allowed). */
  list(): Field[] {
    if (this.isNull) return [];
    const node = this.node;
    if (!isSeq(node)) this.fail(`cannot unmarshal ${tagOf(node)} into list`);
    return node.items.map((item, i) =>
      this.child((item ?? null) as YamlNode | null, `${this.path}[${i}]`, node),
    );
  }

  private scalarText(node: YamlNode): string {
    let n: YamlNode | null = node;
    if (isAlias(n)) n = (n.resolve(this.src.doc) as YamlNode | undefined) ?? null;
    if (n === null || !isScalar(n)) {
      return new Field(this.src, n, this.path, node).fail(`cannot unmarshal ${tagOf(n)} into string`);
    }
    if (n.value === null) return '';
    // Plain scalars that YAML typed as numbers or booleans keep their source text when read as a string
    // (`version: 1.10` stays "1.10"), as yaml.v2 does.
    if (typeof n.value !== 'string' && n.range && n.type === Scalar.PLAIN) {
      return this.src.text.slice(n.range[0], n.range[1]);
    }
    return String(n.value);
  }

  /** A string; `null` reads as `''`. Numbers and booleans are read as their text. */
  str(): string {
    if (this.isNull) return '';
    return this.scalarText(this.node!);
  }

  /** A boolean (`true`, `false`, and YAML 1.1's `yes`/`no`/`on`/`off`). */
  bool(): boolean {
    if (this.isNull) return false;
    const n = this.node!;
    if (isScalar(n) && typeof n.value === 'boolean') return n.value;
    return this.fail(`cannot unmarshal ${tagOf(n)} ${this.quoted()} into bool`);
  }

  /** A non-negative integer (Go `uint`). */
  uint(): number {
    const v = this.int('uint');
    if (v < 0) this.fail(`cannot unmarshal !!int ${this.quoted()} into uint`);
    return v;
  }

  /** An integer (Go `int`); `goType` names the target type in errors. */
  int(goType = 'int'): number {
    if (this.isNull) return 0;
    const n = this.node!;
    if (isScalar(n) && typeof n.value === 'number' && Number.isSafeInteger(n.value)) return n.value;
    if (isScalar(n) && typeof n.value === 'bigint') this.fail(`integer out of range: ${this.quoted()}`);
    return this.fail(`cannot unmarshal ${tagOf(n)} ${this.quoted()} into ${goType}`);
  }

  /** A float (Go `float64`); integers are accepted. */
  float(): number {
    if (this.isNull) return 0;
    const n = this.node!;
    if (isScalar(n) && typeof n.value === 'number') return n.value;
    return this.fail(`cannot unmarshal ${tagOf(n)} ${this.quoted()} into float64`);
  }

  /** A list of strings. */
  strList(): string[] {
    if (this.isNull) return [];
    const node = this.node;
    if (isScalar(node)) this.fail(`cannot unmarshal ${tagOf(node)} ${this.quoted()} into []string`);
    return this.list().map((f) => f.str());
  }

  /** A mapping of strings to strings. */
  strMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, f] of this.entries('into map[string]string')) out[k] = f.str();
    return out;
  }

  /** The value's text in backquotes as yaml.v2 prints it in type errors. */
  private quoted(): string {
    const n = this.node;
    if (n && isScalar(n) && n.range) return `\`${this.src.text.slice(n.range[0], n.range[1])}\``;
    return '';
  }
}

/** Reads an optional nested structure: absent reads as an empty one. */
export function optionalStruct(
  field: Field | undefined,
  typeName: string,
  known: readonly string[],
): Map<string, Field> {
  return field ? field.struct(typeName, known) : new Map();
}

/** The known key nearest to a misspelt one (edit distance ≤ 2), for "did you mean" hints. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key, k, bestDistance);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
