import { fnv1a64, Labels } from '@scrapewire/model';
import type { scrapeOffsetMs } from './offset.js';
import type { ScrapeError } from './errors.js';

/** A target's health as the targets API shows it. */
export type TargetHealth = 'unknown' | 'up' | 'down';

/**
 * One scrape target: its labels after target relabeling (private `__*` labels included, they drive the
 * scrape), the labels it was discovered with, and the state of its last scrape. Built by a scrape pool;
 * the state fields are updated by the target's scrape loop.
 */
export class ScrapeTarget {
  /**
   * Identity within the pool: equal for targets with the same labels (private ones included) and URL, as
   * Prometheus's `Target.hash` — kept as a string, which is cheaper to build and to use as a map key.
   */
  readonly id: string;
  #hash: bigint | undefined;
  /** The labels attached to every sample: the public ones (no `__` prefix). */
  readonly publicLabels: Labels;

  health: TargetHealth = 'unknown';
  lastError: ScrapeError | undefined;
  /** The timestamp (ms since epoch) of the last scrape; 0 before the first. */
  lastScrapeMs = 0;
  lastScrapeDurationMs = 0;

  constructor(
    /** The job name. */
    readonly scrapePool: string,
    /** Labels after relabeling, including private `__*` ones. */
    readonly labels: Labels,
    /** Labels before relabeling (group labels merged in and job defaults added). */
    readonly discoveredLabels: Labels,
    readonly url: string,
    readonly intervalMs: number,
    readonly timeoutMs: number,
  ) {
    this.id = `${labels.key()}\xff${url}`;
    const flat = labels.toFlat();
    const pub: string[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      if (!flat[i]!.startsWith('__')) pub.push(flat[i]!, flat[i + 1]!);
    }
    this.publicLabels = pub.length === flat.length ? labels : Labels.unsafeFromSortedFlat(pub);
  }

  /**
   * FNV-1a over the label-set hash and the URL, as Prometheus's `Target.hash`: the seed of the scrape
   * phase ({@link scrapeOffsetMs}). Computed on first use (64-bit FNV in BigInt is not cheap).
   */
  get hash(): bigint {
    this.#hash ??= fnv1a64(`${this.labels.hash().toString().padStart(16, '0')}${this.url}`);
    return this.#hash;
  }

  /** A plain snapshot for the targets API. */
  toJSON(): ActiveTargetInfo {
    return {
      scrapePool: this.scrapePool,
      scrapeUrl: this.url,
      labels: this.publicLabels.toObject(),
      discoveredLabels: this.discoveredLabels.toObject(),
      health: this.health,
      lastError: this.lastError?.message ?? '',
      lastScrapeMs: this.lastScrapeMs,
      lastScrapeDurationMs: this.lastScrapeDurationMs,
      intervalMs: this.intervalMs,
      timeoutMs: this.timeoutMs,
    };
  }
}

/** An active target as the targets API reports it (Prometheus's `/api/v1/targets` `activeTargets[]`). */
export interface ActiveTargetInfo {
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  /** Public labels after relabeling. */
  readonly labels: Record<string, string>;
  readonly discoveredLabels: Record<string, string>;
  readonly health: TargetHealth;
  /** `''` when the last scrape succeeded. */
  readonly lastError: string;
  /** Milliseconds since the epoch of the last scrape; 0 before the first. */
  readonly lastScrapeMs: number;
  readonly lastScrapeDurationMs: number;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** A target that target relabeling dropped (`/api/v1/targets` `droppedTargets[]`). */
export interface DroppedTargetInfo {
  readonly scrapePool: string;
  readonly discoveredLabels: Record<string, string>;
}
