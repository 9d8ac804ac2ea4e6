import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Labels } from '@scrapewire/model';
import { fanout, MemoryStorage } from '@scrapewire/storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NdjsonAppendable, type NdjsonRecord } from './ndjson-appender.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sw-ndjson-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const read = (path: string): NdjsonRecord[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as NdjsonRecord);

const up = Labels.from({ __name__: 'up', job: 'node', instance: 'h:9100' });

describe('NdjsonAppendable', () => {
  it('writes a committed scrape as one line per sample, in order', async () => {
    const file = join(dir, 'out.ndjson');
    const store = new NdjsonAppendable(file);
    const app = store.appender();
    app.append(0, up, 1000, 1);
    app.append(0, Labels.from({ __name__: 'temp' }), 1000, Number.POSITIVE_INFINITY);
    app.appendStale(0, Labels.from({ __name__: 'gone' }), 1000);
    app.appendExemplar(0, up, { labels: Labels.from({ trace_id: 'abc' }), value: 1, timestampMs: 999 });
    app.updateMetadata(0, up, { type: 'gauge', help: 'Target up.', unit: '' });
    await app.commit();
    expect(read(file)).toEqual([
      { type: 'sample', labels: { __name__: 'up', instance: 'h:9100', job: 'node' }, t: 1000, v: 1 },
      { type: 'sample', labels: { __name__: 'temp' }, t: 1000, v: '+Inf' },
      { type: 'stale', labels: { __name__: 'gone' }, t: 1000 },
      {
        type: 'exemplar',
        labels: { __name__: 'up', instance: 'h:9100', job: 'node' },
        exemplar: { labels: { trace_id: 'abc' }, v: 1, t: 999 },
      },
      {
        type: 'metadata',
        labels: { __name__: 'up', instance: 'h:9100', job: 'node' },
        metadata: { type: 'gauge', help: 'Target up.', unit: '' },
      },
    ]);
  });

  it('writes nothing for a rolled-back scrape, and refuses a spent appender', async () => {
    const file = join(dir, 'out.ndjson');
    const store = new NdjsonAppendable(file);
    const app = store.appender();
    app.append(0, up, 1000, 1);
    await app.rollback();
    const ok = store.appender();
    ok.append(0, up, 2000, 0);
    await ok.commit();
    expect(read(file).map((r) => (r.type === 'sample' ? r.t : -1))).toEqual([2000]);
    expect(() => ok.append(0, up, 3000, 1)).toThrow(/already/);
  });

  it('keeps concurrent commits whole and in commit order', async () => {
    const file = join(dir, 'out.ndjson');
    const store = new NdjsonAppendable(file);
    const commits = Array.from({ length: 10 }, (_, i) => {
      const app = store.appender();
      for (let k = 0; k < 50; k++) app.append(0, Labels.from({ __name__: 'm', k: String(k) }), i, k);
      return app.commit();
    });
    await Promise.all(commits);
    const ts = read(file).map((r) => (r.type === 'sample' ? r.t : -1));
    expect(ts).toEqual(Array.from({ length: 500 }, (_, j) => Math.floor(j / 50)));
  });

  it('works as a secondary next to a MemoryStorage through fanout', async () => {
    const file = join(dir, 'out.ndjson');
    const memory = new MemoryStorage();
    const app = fanout(memory, new NdjsonAppendable(file)).appender();
    const ref = app.append(0, up, 1000, 1);
    app.append(ref, up, 2000, 1);
    await app.commit();
    expect(memory.range([], 0, 5000)[0]!.samples).toHaveLength(2);
    expect(read(file)).toHaveLength(2);
  });

  it('reports a write failure from commit', async () => {
    const store = new NdjsonAppendable(join(dir, 'missing-dir', 'out.ndjson'));
    const app = store.appender();
    app.append(0, up, 1000, 1);
    await expect(app.commit()).rejects.toThrow(/ENOENT/);
  });
});
