import { describe, expect, it } from 'vitest';
import { REPORT_METADATA } from './report-series.js';

describe('REPORT_METADATA', () => {
  it("carries Prometheus's type and unit for every report series", () => {
    const typeAndUnit = Object.fromEntries(
      Object.entries(REPORT_METADATA).map(([name, m]) => [name, `${m.type}|${m.unit}`]),
    );
    expect(typeAndUnit).toEqual({
      up: 'gauge|targets',
      scrape_duration_seconds: 'gauge|seconds',
      scrape_samples_scraped: 'gauge|samples',
      scrape_samples_post_metric_relabeling: 'gauge|samples',
      scrape_series_added: 'gauge|series',
      scrape_timeout_seconds: 'gauge|seconds',
      scrape_sample_limit: 'gauge|samples',
      scrape_body_size_bytes: 'gauge|bytes',
    });
  });

  it('gives each series a distinct one-sentence help text', () => {
    const helps = Object.values(REPORT_METADATA).map((m) => m.help);
    for (const h of helps) {
      expect(h).toMatch(/^[A-Z][^\n]*[^.]\.$/);
      expect(h.slice(0, -1)).not.toMatch(/\.\s/);
    }
    expect(new Set(helps).size).toBe(helps.length);
  });

  it('is frozen, so storages may keep the objects by identity', () => {
    for (const m of Object.values(REPORT_METADATA)) expect(Object.isFrozen(m)).toBe(true);
  });
});
