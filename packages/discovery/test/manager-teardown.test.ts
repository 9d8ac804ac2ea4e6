/**
 * Unsubscribing from the manager must release everything its providers and its throttle hold: file
 * watchers, refresh timers, the pending throttle timer, HTTP sockets.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpClientConfig } from '@scrapewire/config';
import { of } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscoveryJob, discoverTargets, noopDiscoveryMetrics } from '../src/index.js';
import { trackArmedTimers } from './armed-timers.js';

const baseClient: HttpClientConfig = {
  tlsConfig: { insecureSkipVerify: false },
  proxyFromEnvironment: false,
  proxyConnectHeader: {},
  httpHeaders: {},
  followRedirects: true,
  enableHttp2: true,
};

describe('discoverTargets teardown', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let served: () => void = () => {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sw-sd-teardown-'));
    await writeFile(join(dir, 'a.json'), JSON.stringify([{ targets: ['f:1'] }]));
    server = createServer((_req, res) => {
      // Answer a little later than the file is read, so the second update lands in the throttle window.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('[{"targets":["h:1"]}]');
        served();
      }, 50);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sd`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('should leave no watcher, timer or socket behind', async () => {
    const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
    const settle = async (kind: string, target: number) => {
      for (let i = 0; i < 200 && count(kind) > target; i++) await new Promise((r) => setImmediate(r));
    };
    const base = { fs: count('FSEventWrap'), sockets: count('TCPSocketWrap') };
    const armed = trackArmedTimers();
    let delayed: () => void = () => {};
    const throttled = new Promise<void>((r) => (delayed = r));
    const httpServed = new Promise<void>((r) => (served = r));
    const jobs: DiscoveryJob[] = [
      {
        jobName: 'j',
        serviceDiscovery: {
          staticConfigs: [],
          fileSdConfigs: [{ files: [join(dir, '*.json')], refreshIntervalMs: 600_000 }],
          httpSdConfigs: [{ url, refreshIntervalMs: 600_000, httpClient: baseClient }],
          kubernetesSdConfigs: [],
        },
      },
    ];
    let first: () => void = () => {};
    const emitted = new Promise<void>((r) => (first = r));
    const sub = discoverTargets(of(jobs), {
      metrics: { ...noopDiscoveryMetrics, incDelayedUpdates: () => delayed() },
    }).subscribe(() => first());
    await emitted;
    await httpServed;
    await throttled; // the http groups wait in the 5 s throttle: a timer is pending now
    expect(count('FSEventWrap')).toBeGreaterThan(base.fs);
    expect(armed.size).toBeGreaterThanOrEqual(3); // file refresh, http refresh, throttle
    sub.unsubscribe();
    server.closeAllConnections();
    await settle('FSEventWrap', base.fs);
    await settle('TCPSocketWrap', base.sockets);
    expect(armed.size).toBe(0);
    expect(count('FSEventWrap')).toBe(base.fs);
    expect(count('TCPSocketWrap')).toBe(base.sockets);
  });
});
