import { Labels } from '@scrapewire/model';

/**
 * `n` distinct agent-like label sets (500 metric names, 1,024 series per instance), hashed beforehand: the
 * storages key their maps by `Labels.hash32()`, which is cached on the label set, so a heap measurement
 * taken after this counts only what a storage keeps of its own.
 */
export function seriesLabels(n: number): Labels[] {
  const many = Array.from({ length: n }, (_, i) =>
    Labels.from({
      __name__: `metric_${i % 500}`,
      job: 'node',
      instance: `host-${i >> 10}:9100`,
      idx: String(i),
    }),
  );
  for (const l of many) l.hash32();
  return many;
}
