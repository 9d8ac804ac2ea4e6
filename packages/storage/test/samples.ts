import { Labels } from '@scrapewire/model';
import type { NativeHistogram } from '../src/appender.js';
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

/** The smallest integer native histogram: one observation in one positive bucket. */
export const oneObservationHistogram: NativeHistogram = {
  kind: 'int',
  counterResetHint: 'unknown',
  schema: 0,
  zeroThreshold: 0,
  zeroCount: 0,
  count: 1,
  sum: 1,
  positiveSpans: [{ offset: 0, length: 1 }],
  positiveDeltas: [1],
  negativeSpans: [],
  negativeDeltas: [],
};
