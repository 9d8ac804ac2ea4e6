import { Labels } from '@scrapewire/model';
import type { Appendable, Appender, NativeHistogram } from '../src/appender.js';
import { StorageError } from '../src/errors.js';

/** `up{job, instance}`, the label set the storage tests append to. */
export const up = (job: string, instance = 'a:1'): Labels => Labels.from({ __name__: 'up', job, instance });

/** The `StorageError` code `fn` throws, or undefined when it does not throw; other errors pass through. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof StorageError) return err.code;
    throw err;
  }
  return undefined;
}

/** An integer native histogram of one observation in one positive bucket, with the given `sum`. */
export const intHistogram = (sum = 1): NativeHistogram => ({
  kind: 'int',
  counterResetHint: 'unknown',
  schema: 0,
  zeroThreshold: 0,
  zeroCount: 0,
  count: 1,
  sum,
  positiveSpans: [{ offset: 0, length: 1 }],
  positiveDeltas: [1],
  negativeSpans: [],
  negativeDeltas: [],
});

/** Runs `f` in one transaction of `st` and commits it; returns what `f` returned. */
export async function commitOne<T>(st: Appendable, f: (a: Appender) => T): Promise<T> {
  const a = st.appender();
  const r = f(a);
  await a.commit();
  return r;
}
