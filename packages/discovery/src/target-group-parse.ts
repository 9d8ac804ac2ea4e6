import type { LabelSet } from '@scrapewire/model';
import { isAlias, isMap, isScalar, isSeq, type Node, parseDocument, type Document } from 'yaml';
import { DiscoveryError, DiscoveryErrorCode } from './errors.js';

/** A target group as a file or an HTTP body holds it, before the provider assigns its source. */
export interface ParsedTargetGroup {
  readonly targets: LabelSet[];
  readonly labels: Record<string, string>;
}

function invalid(origin: string, msg: string): DiscoveryError {
  return new DiscoveryError(DiscoveryErrorCode.InvalidTargetGroups, `${origin}: ${msg}`);
}

function checkLabelName(origin: string, name: string): void {
  // Prometheus 3 accepts any non-empty UTF-8 label name here (2.42 applied the legacy [a-zA-Z_][a-zA-Z0-9_]*).
  if (name === '') throw invalid(origin, `"" is not a valid label name`);
}

/**
 * Parses a JSON list of target groups with the rules of Prometheus's `targetgroup.Group.UnmarshalJSON`:
 * only `targets` (strings) and `labels` (string values) are allowed — field names match case-insensitively,
 * as Go's encoding/json does — and a `null` list item is an error. A top-level `null` is an empty list.
 *
 * @throws DiscoveryError `SW_ERR_SD_INVALID_TARGET_GROUPS` on any deviation.
 */
export function parseTargetGroupsJson(text: string, origin: string): ParsedTargetGroup[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw invalid(origin, (err as Error).message);
  }
  if (doc === null) return [];
  if (!Array.isArray(doc)) throw invalid(origin, 'expected a JSON array of target groups');
  return doc.map((item: unknown, i) => {
    if (item === null) throw invalid(origin, 'nil target group item found');
    if (typeof item !== 'object' || Array.isArray(item)) {
      throw invalid(origin, `target group ${i}: expected an object`);
    }
    let targets: LabelSet[] = [];
    let labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      const field = key.toLowerCase();
      if (field === 'targets') {
        if (value === null) continue;
        if (!Array.isArray(value))
          throw invalid(origin, `target group ${i}: "targets" must be a list of strings`);
        targets = value.map((t: unknown) => {
          if (typeof t !== 'string') throw invalid(origin, `target group ${i}: targets must be strings`);
          return { __address__: t };
        });
      } else if (field === 'labels') {
        if (value === null) continue;
        if (typeof value !== 'object' || Array.isArray(value)) {
          throw invalid(origin, `target group ${i}: "labels" must be an object`);
        }
        labels = {};
        for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
          checkLabelName(origin, name);
          if (typeof v !== 'string')
            throw invalid(origin, `target group ${i}: label ${name} must be a string`);
          labels[name] = v;
        }
      } else {
        throw invalid(origin, `target group ${i}: unknown field "${key}"`);
      }
    }
    return { targets, labels };
  });
}

/** The text of a YAML scalar as a Go string field receives it: the source text, `''` for null. */
function scalarString(origin: string, node: unknown, what: string): string {
  if (!isScalar(node)) throw invalid(origin, `${what} must be a string`);
  if (node.value === null) return '';
  return typeof node.value === 'string' ? node.value : (node.source ?? String(node.value));
}

/**
 * Parses a YAML list of target groups with the rules of Prometheus's strict YAML decoding: unknown fields
 * and duplicate keys are errors, a `null` list item is an error, and a scalar given where a string is
 * expected keeps its source text (`port: 80` is the string `"80"`). An empty document is an empty list.
 *
 * @throws DiscoveryError `SW_ERR_SD_INVALID_TARGET_GROUPS` on any deviation.
 */
export function parseTargetGroupsYaml(text: string, origin: string): ParsedTargetGroup[] {
  const doc: Document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw invalid(origin, doc.errors[0]!.message);
  const resolve = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  const root = resolve(doc.contents);
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) return [];
  if (!isSeq(root)) throw invalid(origin, 'expected a YAML list of target groups');
  return root.items.map((raw, i) => {
    const item = resolve(raw) as Node | null;
    if (item === null || (isScalar(item) && item.value === null)) {
      throw invalid(origin, 'nil target group item found');
    }
    if (!isMap(item)) throw invalid(origin, `target group ${i}: expected a mapping`);
    let targets: LabelSet[] = [];
    let labels: Record<string, string> = {};
    for (const pair of item.items) {
      const key = scalarString(origin, resolve(pair.key), 'a field name');
      const value = resolve(pair.value);
      const isNull = value === null || (isScalar(value) && value.value === null);
      if (key === 'targets') {
        if (isNull) continue;
        if (!isSeq(value)) throw invalid(origin, `target group ${i}: "targets" must be a list of strings`);
        targets = value.items.map((t) => ({
          __address__: scalarString(origin, resolve(t), `target group ${i}: a target`),
        }));
      } else if (key === 'labels') {
        if (isNull) continue;
        if (!isMap(value)) throw invalid(origin, `target group ${i}: "labels" must be a mapping`);
        labels = {};
        for (const lp of value.items) {
          const name = scalarString(origin, resolve(lp.key), 'a label name');
          checkLabelName(origin, name);
          labels[name] = scalarString(origin, resolve(lp.value), `target group ${i}: label ${name}`);
        }
      } else {
        throw invalid(origin, `target group ${i}: field ${key} not found in type targetgroup.Group`);
      }
    }
    return { targets, labels };
  });
}
