import type { ScrapeReport } from '@scrapewire/scrape';
import { filter, map, type OperatorFunction, scan } from 'rxjs';

/** A target changed health between two scrapes (or was seen for the first time). */
export interface HealthTransition {
  readonly job: string;
  readonly instance: string;
  readonly up: boolean;
  /** Why the scrape failed, when it did. */
  readonly error?: string;
  readonly timestampMs: number;
}

/**
 * A custom pipeline step: turns the stream of scrape reports into health transitions — one event when a
 * target is first scraped, then only when it flips between up and down. An ordinary RxJS operator, so it
 * composes with everything else on the scrape stream (debounce it, batch it, send it to a pager).
 *
 * ```
 * reports:      --u1--u1--d1--d1--u1--u2--
 * transitions:  --U1--------D1------U1-U2-
 * ```
 */
export function healthTransitions(): OperatorFunction<ScrapeReport, HealthTransition> {
  return (reports) =>
    reports.pipe(
      scan(
        (state, report) => {
          const labels = report.target.publicLabels;
          const key = `${labels.get('job')}\xff${labels.get('instance')}`;
          const before = state.last.get(key);
          state.last.set(key, report.up);
          state.emit =
            before === report.up
              ? undefined
              : {
                  job: labels.get('job'),
                  instance: labels.get('instance'),
                  up: report.up,
                  ...(report.error ? { error: report.error.message } : {}),
                  timestampMs: report.timestampMs,
                };
          return state;
        },
        { last: new Map<string, boolean>(), emit: undefined as HealthTransition | undefined },
      ),
      map((s) => s.emit),
      filter((t): t is HealthTransition => t !== undefined),
    );
}
