import { Labels, LabelsBuilder } from '@scrapewire/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RelabelBuilder } from './builder.js';

const name = fc.constantFrom('a', 'b', 'c', 'd', 'e', '__x', 'z');
const value = fc.constantFrom('', '1', '2', 'v');
const op = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), name, value }),
  fc.record({ kind: fc.constant('del' as const), name }),
);

describe('RelabelBuilder', () => {
  it('agrees with the model LabelsBuilder on get and labels after any sequence of set/del', () => {
    fc.assert(
      fc.property(
        fc.dictionary(name, fc.constantFrom('1', '2', 'base')),
        fc.array(op, { maxLength: 20 }),
        (base, ops) => {
          const start = Labels.from(base);
          const ours = new RelabelBuilder().reset(start);
          const model = new LabelsBuilder(start);
          for (const o of ops) {
            if (o.kind === 'set') {
              ours.set(o.name, o.value);
              model.set(o.name, o.value);
            } else {
              ours.del(o.name);
              model.del(o.name);
            }
            expect(ours.get(o.name)).toBe(model.get(o.name));
          }
          expect(ours.labels().toObject()).toEqual(model.labels().toObject());
          const seen: Record<string, string> = {};
          ours.range((n, v) => {
            seen[n] = v;
          });
          expect(seen).toEqual(model.labels().toObject());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('range visits a snapshot: base labels first, then additions in insertion order', () => {
    const b = new RelabelBuilder().reset(Labels.from({ a: '1', b: '2', c: '3' }));
    b.set('z', '9');
    b.set('b', '20');
    const seen: string[] = [];
    b.range((n) => {
      seen.push(n);
      b.set(`${n}_copy`, 'x');
      b.del('c');
    });
    expect(seen).toEqual(['a', 'c', 'z', 'b']);
    expect(b.labels().names()).toEqual(['a', 'a_copy', 'b', 'b_copy', 'c_copy', 'z', 'z_copy']);
  });

  it('returns the base object when nothing changed', () => {
    const base = Labels.from({ a: '1' });
    expect(new RelabelBuilder().reset(base).labels()).toBe(base);
  });
});
