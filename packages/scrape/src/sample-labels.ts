import { Labels } from '@scrapewire/model';

/**
 * Attaches a target's public labels to a scraped series, as Prometheus's `mutateSampleLabels` does before
 * metric relabeling.
 *
 * - `honorLabels`: a target label is added only when the series lacks it.
 * - otherwise: every target label is set; a scraped label it overwrote (non-empty value) moves to
 *   `exported_<name>` (prefixed again while that name is taken), shortest names first.
 */
export function attachTargetLabels(series: Labels, target: Labels, honorLabels: boolean): Labels {
  if (target.isEmpty) return series;
  const m = new Map<string, string>();
  for (const [n, v] of series) m.set(n, v);
  if (honorLabels) {
    target.forEach((n, v) => {
      if ((m.get(n) ?? '') === '') m.set(n, v);
    });
    return Labels.fromMap(m);
  }
  const conflicts: [string, string][] = [];
  target.forEach((n, v) => {
    const existing = m.get(n) ?? '';
    if (existing !== '') conflicts.push([n, existing]);
    m.set(n, v);
  });
  if (conflicts.length > 0) {
    conflicts.sort((a, b) => a[0].length - b[0].length);
    for (const [name, value] of conflicts) {
      let newName = `exported_${name}`;
      for (;;) {
        if ((m.get(newName) ?? '') === '') {
          m.set(newName, value);
          break;
        }
        newName = `exported_${newName}`;
      }
    }
  }
  return Labels.fromMap(m);
}
