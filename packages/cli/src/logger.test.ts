import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAgentLogger, jsonLineToLogfmt } from './logger.js';

function capture() {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { out, text: () => chunks.join('') };
}

describe('agent logger', () => {
  it('formats logfmt with quoting', () => {
    const line = jsonLineToLogfmt(
      JSON.stringify({ time: 0, level: 'warn', msg: 'scrape failed', target: 'http://a b', n: 3 }),
    );
    expect(line).toBe(
      'time=1970-01-01T00:00:00.000Z level=warn target="http://a b" n=3 msg="scrape failed"\n',
    );
  });

  it('writes logfmt by default and respects the level', async () => {
    const c = capture();
    const log = createAgentLogger('info', 'logfmt', c.out);
    log.debug({}, 'hidden');
    log.info({ job: 'node' }, 'loaded');
    await new Promise((r) => setImmediate(r));
    expect(c.text()).toMatch(/level=info job=node msg=loaded\n$/);
    expect(c.text()).not.toContain('hidden');
  });

  it('writes JSON on request', async () => {
    const c = capture();
    createAgentLogger('debug', 'json', c.out).debug({ a: 1 }, 'x');
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(c.text())).toMatchObject({ level: 'debug', a: 1, msg: 'x' });
  });
});
