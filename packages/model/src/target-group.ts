/** A label set as plain data: what discovery produces and what JSON/YAML files hold. */
export type LabelSet = Readonly<Record<string, string>>;

/**
 * A group of targets that share labels and a source, as Prometheus's `targetgroup.Group`.
 *
 * Discovery conventions (Prometheus `discovery/README.md`): a provider sends the full set first, then only
 * the groups that changed; a group whose object vanished is sent with its `source` and no targets.
 */
export interface TargetGroup {
  /** Identifies the group within its provider (a file path and index, an object key). Unique per provider. */
  readonly source: string;
  /** One label set per target; each carries `__address__`. */
  readonly targets: readonly LabelSet[];
  /** Labels common to every target of the group; a target's own labels win on conflict. */
  readonly labels: LabelSet;
}

/** Target groups per scrape job name: what the discovery manager emits and the scrape manager consumes. */
export type TargetSets = ReadonlyMap<string, readonly TargetGroup[]>;
