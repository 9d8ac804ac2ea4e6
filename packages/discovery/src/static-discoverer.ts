import type { StaticConfig } from '@scrapewire/config';
import type { TargetGroup } from '@scrapewire/model';
import { Observable } from 'rxjs';
import type { Discoverer, DiscovererContext } from './discoverer.js';

/**
 * Turns a job's `static_configs` into target groups: config `i` becomes the group with source `String(i)`,
 * one target per address (`__address__`) and the config's labels as group labels — as Prometheus coalesces
 * all static configs of a job into one provider.
 *
 * Emits the groups once on subscribe and then stays open (never completes), so the manager treats it like
 * any other provider.
 */
export function staticDiscoverer(configs: readonly StaticConfig[], _ctx?: DiscovererContext): Discoverer {
  const groups: TargetGroup[] = configs.map((c, i) => ({
    source: String(i),
    targets: c.targets.map((address) => ({ __address__: address })),
    labels: { ...c.labels },
  }));
  return new Observable<TargetGroup[]>((subscriber) => {
    subscriber.next(groups);
  });
}
