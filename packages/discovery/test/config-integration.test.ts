/**
 * The manager fed by the real config loader: a loaded `ScrapeConfig` is a `DiscoveryJob`, file_sd paths
 * come resolved, and a reload that builds new but equal config objects (new `Secret` instances included)
 * restarts nothing.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ScrapeConfig, loadConfig } from '@scrapewire/config';
import type { TargetSets } from '@scrapewire/model';
import { BehaviorSubject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type DiscoveryJob,
  createDiscovererRegistry,
  discoverTargets,
  fileDiscoverer,
  httpDiscoverer,
  staticDiscoverer,
} from '../src/index.js';

// Compile-time check: the config package's ScrapeConfig can be handed to the manager as it is.
const _scrapeConfigIsAJob = (c: ScrapeConfig): DiscoveryJob => c;
void _scrapeConfigIsAJob;

const CONFIG = `
scrape_configs:
  - job_name: a
    file_sd_configs: [{ files: ['sd/*.json'] }]
    http_sd_configs:
      - url: http://127.0.0.1:1/sd
        basic_auth: { username: u, password: secret }
  - job_name: b
    file_sd_configs: [{ files: ['sd/*.json'] }]
    static_configs: [{ targets: ['s:1'] }]
`;

describe('discovery with loaded configs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-sd-config-'));
    await mkdir(join(dir, 'sd'));
    await writeFile(join(dir, 'sd', 't.json'), JSON.stringify([{ targets: ['f:1'] }]));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('should share providers across jobs and keep them across an equal reload', async () => {
    const file = vi.fn(fileDiscoverer);
    const http = vi.fn(httpDiscoverer);
    const registry = createDiscovererRegistry()
      .register('static', staticDiscoverer)
      .register('file', file)
      .register('http', http);
    const load = () => loadConfig(CONFIG, { baseDir: dir }).scrapeConfigs;
    const jobs$ = new BehaviorSubject<readonly DiscoveryJob[]>(load());
    const seen: TargetSets[] = [];
    let notify: () => void = () => {};
    const sub = discoverTargets(jobs$, { registry, updateIntervalMs: 0 }).subscribe((s) => {
      seen.push(s);
      notify();
    });
    /** Resolves with the first target set from index `from` on that satisfies `ok`; fails after 5 s. */
    const waitFor = (ok: (s: TargetSets) => boolean, from = 0) =>
      new Promise<TargetSets>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no matching target set within 5 s')), 5000);
        notify = () => {
          const hit = seen.slice(from).find(ok);
          if (hit) {
            clearTimeout(t);
            resolve(hit);
          }
        };
        notify();
      });
    try {
      const first = await waitFor((s) => s.get('a')?.length === 1 && s.get('b')?.length === 2);
      const path = join(dir, 'sd', 't.json');
      expect(first.get('a')).toEqual([
        { source: `${path}:0`, targets: [{ __address__: 'f:1' }], labels: { __meta_filepath: path } },
      ]);
      expect(file).toHaveBeenCalledTimes(1);
      expect(http).toHaveBeenCalledTimes(1);

      // Reload with freshly loaded (equal) configs: nothing restarts, a new target set goes out at once
      // with the same groups (no flapping).
      const before = seen.length;
      jobs$.next(load());
      const reloaded = await waitFor(() => true, before);
      expect(file).toHaveBeenCalledTimes(1);
      expect(http).toHaveBeenCalledTimes(1);
      expect(reloaded.get('a')).toEqual(first.get('a'));
      expect(reloaded.get('b')).toEqual(first.get('b'));

      // A changed secret is a changed config: the http provider restarts, the file provider does not.
      jobs$.next(
        loadConfig(CONFIG.replace('password: secret', 'password: other'), { baseDir: dir }).scrapeConfigs,
      );
      expect(http).toHaveBeenCalledTimes(2);
      expect(file).toHaveBeenCalledTimes(1);
    } finally {
      sub.unsubscribe();
    }
  });
});
