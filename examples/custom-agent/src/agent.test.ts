import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryStorage } from '@scrapewire/storage';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customAgent } from './agent.js';
import { healthTransitions } from './health-transitions.js';

let server: Server;
let address: string;
let healthy = true;

beforeAll(async () => {
  server = createServer((_req, res) => {
    if (!healthy) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end('demo_value 1\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('custom agent example', () => {
  it('reports a target going down and coming back, and stores its samples', async () => {
    const storage = new MemoryStorage();
    const configYaml = `
global: { scrape_interval: 200ms, scrape_timeout: 150ms }
scrape_configs:
  - job_name: demo
    static_configs: [{ targets: ['${address}'] }]
`;
    let seen = 0;
    const transitions = firstValueFrom(
      customAgent({ configYaml, storage, reloadIntervalMs: 0 }, healthTransitions()).pipe(take(3), toArray()),
    );
    // Flip the target's health after each transition the agent reports.
    const flipper = setInterval(() => {
      const ups = storage.latest([{ name: '__name__', type: '=', value: 'up' }]);
      const value = ups[0]?.sample.value;
      if (value === undefined) return;
      if ((value === 1) === healthy) {
        seen++;
        healthy = !healthy;
      }
    }, 50);
    const result = await transitions;
    clearInterval(flipper);
    expect(result.map((t) => t.up)).toEqual([true, false, true]);
    expect(result[1]!.error).toContain('500');
    expect(result.every((t) => t.job === 'demo' && t.instance === address)).toBe(true);
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(storage.latest([{ name: '__name__', type: '=', value: 'demo_value' }])[0]?.sample.value).toBe(1);
  });
});
