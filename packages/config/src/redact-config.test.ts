import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { readSecret } from './read-secret.js';
import { dumpConfigYaml, redactConfig } from './redact-config.js';
import { Secret } from './secret.js';

const TEXT = `
global:
  scrape_interval: 15s
  body_size_limit: 10MB
scrape_configs:
  - job_name: a
    basic_auth: {username: user, password: hunter2}
    tls_config: {cert: CERT, key: PRIVATE-KEY}
    oauth2: ~
    http_headers:
      X-Token: {secrets: [header-secret], values: [plain]}
    static_configs: [{targets: ['h:1'], labels: {some_label: v}}]
  - job_name: b
    authorization: {credentials_file: /run/token}
remote_write:
  - url: http://x/push
    oauth2: {client_id: id, client_secret: oauth-secret, token_url: "http://t"}
    queue_config: {retry_on_http_429: true}
`;

describe('redactConfig', () => {
  const config = loadConfig(TEXT);

  it('never shows a secret', () => {
    const yaml = dumpConfigYaml(config);
    for (const s of ['hunter2', 'PRIVATE-KEY', 'header-secret', 'oauth-secret'])
      expect(yaml).not.toContain(s);
    expect(yaml).toContain('<secret>');
  });

  it('writes the file format back: snake_case keys, durations and sizes as text', () => {
    const r = redactConfig(config) as {
      global: Record<string, unknown>;
      scrape_configs: Record<string, unknown>[];
      remote_write: Record<string, unknown>[];
    };
    expect(r.global.scrape_interval).toBe('15s');
    expect(r.global.body_size_limit).toBe('10MB');
    const [a, b] = r.scrape_configs;
    expect(a!.job_name).toBe('a');
    expect(a!.basic_auth).toEqual({ username: 'user', password: '<secret>' });
    expect(a!.static_configs).toEqual([{ targets: ['h:1'], labels: { some_label: 'v' } }]);
    expect(b!.authorization).toEqual({ type: 'Bearer', credentials_file: '/run/token' });
    expect((r.remote_write[0]!.queue_config as Record<string, unknown>).retry_on_http_429).toBe(true);
    expect(r).not.toHaveProperty('warnings');
  });
});

describe('readSecret', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('reveals an inline secret', async () => {
    expect(await readSecret({ inline: new Secret('abc') })).toBe('abc');
  });

  it('reads a file each time, trimmed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sw-secret-'));
    dirs.push(dir);
    const file = join(dir, 'token');
    await writeFile(file, 'first\n');
    expect(await readSecret({ file })).toBe('first');
    await writeFile(file, '  second \n');
    expect(await readSecret({ file })).toBe('second');
  });

  it('rejects when the file is missing', async () => {
    await expect(readSecret({ file: '/nonexistent/sw-token' })).rejects.toThrow();
  });
});
