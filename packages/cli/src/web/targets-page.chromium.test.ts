import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBinary, missingBinaryMessage } from '@scrapewire/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView } from './agent-view.js';
import { createAgentServer } from './server.js';

const run = promisify(execFile);
const chromium = findBinary('chromium');

const view: AgentView = {
  targets: () => ({
    active: [
      {
        discoveredLabels: { __address__: '127.0.0.1:9100' },
        labels: { instance: '127.0.0.1:9100', job: 'node', team: '<ops & sre>' },
        scrapePool: 'node',
        scrapeUrl: 'http://127.0.0.1:9100/metrics',
        lastError: 'Get "http://127.0.0.1:9100/metrics": connect ECONNREFUSED 127.0.0.1:9100',
        lastScrapeMs: Date.now() - 3000,
        lastScrapeDurationMs: 2,
        health: 'down',
        intervalMs: 15_000,
        timeoutMs: 10_000,
      },
      {
        discoveredLabels: { __address__: '127.0.0.1:9095' },
        labels: { instance: '127.0.0.1:9095', job: 'scrapewire' },
        scrapePool: 'scrapewire',
        scrapeUrl: 'http://127.0.0.1:9095/metrics',
        lastError: '',
        lastScrapeMs: Date.now() - 1000,
        lastScrapeDurationMs: 14,
        health: 'up',
        intervalMs: 15_000,
        timeoutMs: 10_000,
      },
    ],
    dropped: [],
    droppedCounts: { node: 2, scrapewire: 0 },
  }),
  configYaml: () => '',
  isReady: () => true,
  reload: async () => {},
  federate: () => '',
  metrics: async () => ({ contentType: 'text/plain', body: '' }),
};

let server: Server;
let url: string;
let profile: string;

beforeAll(async () => {
  server = createAgentServer(view);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/targets`;
  profile = await mkdtemp(join(tmpdir(), 'scrapewire-chromium-'));
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(profile, { recursive: true, force: true });
});

/** Flags for a headless Chromium that stays off the network except for the page it is given. */
const flags = () => [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--user-data-dir=${profile}`,
];

describe.skipIf(!chromium)(
  chromium ? 'the /targets page in headless Chromium' : missingBinaryMessage('chromium'),
  () => {
    it('renders every target with health, labels, timing and error, with no script', async () => {
      const { stdout: dom } = await run(chromium!, [...flags(), '--dump-dom', url], { timeout: 60_000 });
      expect(dom).toContain('<h1>Targets</h1>');
      expect(dom).toContain('node <small>(0/1 up, 2 dropped)</small>');
      expect(dom).toContain('scrapewire <small>(1/1 up)</small>');
      expect(dom).toMatch(/<tr class="down">[\s\S]*connect ECONNREFUSED 127\.0\.0\.1:9100/);
      expect(dom).toMatch(/<td class="health">up<\/td>/);
      // Escaped by the server, so the browser shows the text rather than parsing markup.
      expect(dom).toContain('team="&lt;ops &amp; sre&gt;"');
      expect(dom).not.toContain('<script');
    }, 90_000);

    it('produces a screenshot a person can read', async () => {
      const png = join(profile, 'targets.png');
      await run(chromium!, [...flags(), `--screenshot=${png}`, '--window-size=1200,600', url], {
        timeout: 60_000,
      });
      const bytes = await readFile(png);
      expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      expect(bytes.length).toBeGreaterThan(5_000);
    }, 90_000);
  },
);
