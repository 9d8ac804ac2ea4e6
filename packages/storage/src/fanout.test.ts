import { Labels } from '@scrapewire/model';
import { describe, expect, it } from 'vitest';
import type { Appendable, Appender } from './appender.js';
import { StorageError } from './errors.js';
import { fanout } from './fanout.js';
import { MemoryStorage } from './memory-storage.js';

const l = Labels.from({ __name__: 'up', job: 'a' });

/** A storage that records calls and fails where told. */
function recording(
  name: string,
  log: string[],
  fail: { append?: boolean; commit?: boolean } = {},
): Appendable {
  let refs = 100;
  return {
    appender(): Appender {
      const ref = () => (fail.append ? 0 : ++refs);
      return {
        append(r) {
          log.push(`${name}.append(${r})`);
          if (fail.append) throw new StorageError('SW_ERR_OUT_OF_ORDER_SAMPLE', `${name} rejects`);
          return ref();
        },
        appendStale: () => ref(),
        appendExemplar: () => ref(),
        appendHistogram: () => ref(),
        updateMetadata: () => ref(),
        async commit() {
          log.push(`${name}.commit`);
          if (fail.commit) throw new Error(`${name} commit failed`);
        },
        async rollback() {
          log.push(`${name}.rollback`);
        },
      };
    },
  };
}

describe('fanout', () => {
  it('returns the primary itself when there are no secondaries', () => {
    const p = new MemoryStorage();
    expect(fanout(p)).toBe(p);
  });

  it('appends to the primary first and commits primary then secondaries', async () => {
    const log: string[] = [];
    const app = fanout(recording('p', log), recording('s1', log), recording('s2', log)).appender();
    const ref = app.append(0, l, 1000, 1);
    expect(ref).toBe(101);
    await app.commit();
    expect(log).toEqual([
      'p.append(0)',
      's1.append(0)',
      's2.append(0)',
      'p.commit',
      's1.commit',
      's2.commit',
    ]);
  });

  it('gives each secondary back its own ref, keyed by the primary ref', () => {
    const log: string[] = [];
    const app = fanout(recording('p', log), recording('s', log)).appender();
    const r1 = app.append(0, l, 1000, 1);
    app.append(r1, l, 2000, 1);
    expect(log).toEqual(['p.append(0)', 's.append(0)', 'p.append(101)', 's.append(101)']);
  });

  it('remembers secondary refs across transactions, since a scrape passes refs from earlier scrapes', async () => {
    const seen: number[] = [];
    const secondary: Appendable = {
      appender: () => ({
        append(r) {
          seen.push(r);
          return 7;
        },
        appendStale: () => 7,
        appendExemplar: () => 7,
        appendHistogram: () => 7,
        updateMetadata: () => 7,
        commit: async () => {},
        rollback: async () => {},
      }),
    };
    const f = fanout(new MemoryStorage(), secondary);
    const first = f.appender();
    const ref = first.append(0, l, 1000, 1);
    await first.commit();
    const second = f.appender();
    expect(second.append(ref, l, 2000, 2)).toBe(ref);
    await second.commit();
    expect(seen).toEqual([0, 7]);
  });

  it('maps primary refs that are not small integers too (a primary issuing hashes or fractions)', async () => {
    for (const primaryRef of [2 ** 40 + 3, 0.5, 3]) {
      const seen: number[] = [];
      const primary: Appendable = {
        appender: () => ({
          append: () => primaryRef,
          appendStale: () => primaryRef,
          appendExemplar: () => primaryRef,
          appendHistogram: () => primaryRef,
          updateMetadata: () => primaryRef,
          commit: async () => {},
          rollback: async () => {},
        }),
      };
      const secondary: Appendable = {
        appender: () => ({
          append(r) {
            seen.push(r);
            return 9;
          },
          appendStale: () => 9,
          appendExemplar: () => 9,
          appendHistogram: () => 9,
          updateMetadata: () => 9,
          commit: async () => {},
          rollback: async () => {},
        }),
      };
      const app = fanout(primary, secondary).appender();
      const ref = app.append(0, l, 1000, 1);
      app.append(ref, l, 2000, 1);
      app.append(7, l, 3000, 1);
      expect(seen).toEqual([0, 9, 0]);
    }
  });

  it('does not reach the secondaries when the primary rejects a sample', () => {
    const log: string[] = [];
    const app = fanout(recording('p', log, { append: true }), recording('s', log)).appender();
    expect(() => app.append(0, l, 1000, 1)).toThrow(StorageError);
    expect(log).toEqual(['p.append(0)']);
  });

  it('rolls back the remaining secondaries after a commit error and rethrows it', async () => {
    const log: string[] = [];
    const app = fanout(
      recording('p', log),
      recording('s1', log, { commit: true }),
      recording('s2', log),
    ).appender();
    await expect(app.commit()).rejects.toThrow('s1 commit failed');
    expect(log).toEqual(['p.commit', 's1.commit', 's2.rollback']);
  });

  it('rolls everything back when the primary commit fails', async () => {
    const log: string[] = [];
    const app = fanout(recording('p', log, { commit: true }), recording('s', log)).appender();
    await expect(app.commit()).rejects.toThrow('p commit failed');
    expect(log).toEqual(['p.commit', 's.rollback']);
  });

  it('rolls back all on rollback', async () => {
    const log: string[] = [];
    const app = fanout(recording('p', log), recording('s', log)).appender();
    await app.rollback();
    expect(log).toEqual(['p.rollback', 's.rollback']);
  });

  it('writes the same data to two memory storages', async () => {
    const a = new MemoryStorage();
    const b = new MemoryStorage();
    const app = fanout(a, b).appender();
    app.append(0, l, 1000, 1);
    app.appendStale(0, l, 2000);
    await app.commit();
    expect(b.range([], 0, 5000)).toEqual(a.range([], 0, 5000));
    expect(a.range([], 0, 5000)[0]!.samples).toHaveLength(2);
  });
});
