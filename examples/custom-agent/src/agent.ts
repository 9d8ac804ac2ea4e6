import { loadConfig } from '@scrapewire/config';
import { discoverTargets } from '@scrapewire/discovery';
import { createScrapeManager, type ScrapeReport } from '@scrapewire/scrape';
import { MemoryStorage } from '@scrapewire/storage';
import { concat, NEVER, type Observable, of, type OperatorFunction } from 'rxjs';

export interface CustomAgentOptions {
  /** A prometheus.yml, as text. */
  readonly configYaml: string;
  /** Where scrapes go. @defaultValue a new MemoryStorage */
  readonly storage?: MemoryStorage;
  /** Discovery and scrape reload throttles; 5 s as in Prometheus unless given. */
  readonly reloadIntervalMs?: number;
}

/**
 * An agent composed in code: config → discovery → scrape → storage, then any pipeline step the caller
 * adds on the scrape stream. Cold: nothing runs until subscribed; unsubscribing stops every loop.
 */
export function customAgent<T>(
  options: CustomAgentOptions,
  step: OperatorFunction<ScrapeReport, T>,
): Observable<T> {
  const config = loadConfig(options.configYaml, { filename: 'inline.yml' });
  const storage = options.storage ?? new MemoryStorage();
  const interval =
    options.reloadIntervalMs !== undefined ? { reloadIntervalMs: options.reloadIntervalMs } : {};
  // The config never changes here; an agent that reloads would feed watchConfig() in instead.
  const jobs$ = concat(of(config.scrapeConfigs), NEVER);
  const targetSets$ = discoverTargets(
    jobs$,
    options.reloadIntervalMs !== undefined ? { updateIntervalMs: options.reloadIntervalMs } : {},
  );
  const manager = createScrapeManager({ appendable: storage, ...interval });
  return manager.run(targetSets$, jobs$).pipe(step);
}
