import { Labels } from '@scrapewire/model';
import { expect, it } from 'vitest';
import {
  compileRelabelConfigs,
  DEFAULT_RELABEL_CONFIG,
  populateTargetLabels,
  publicTargetLabels,
  relabel,
  targetScrapeUrl,
} from '../src/index.js';

it('the README example does what it says', () => {
  const rules = compileRelabelConfigs([
    {
      ...DEFAULT_RELABEL_CONFIG,
      sourceLabels: ['__meta_kubernetes_pod_annotation_prometheus_io_scrape'],
      regex: 'true',
      action: 'keep',
    },
    { ...DEFAULT_RELABEL_CONFIG, regex: '__meta_kubernetes_pod_label_(.+)', action: 'labelmap' },
    {
      ...DEFAULT_RELABEL_CONFIG,
      sourceLabels: ['__address__'],
      action: 'hashmod',
      modulus: 4,
      targetLabel: '__tmp_hash',
    },
  ]);
  const discovered = Labels.from({
    __address__: '10.1.2.3:9102',
    __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
    __meta_kubernetes_pod_label_app: 'api',
  });
  expect(relabel(discovered, rules)?.get('app')).toBe('api');
  const job = {
    jobName: 'pods',
    scrapeIntervalMs: 30_000,
    scrapeTimeoutMs: 10_000,
    metricsPath: '/metrics',
    scheme: 'http',
  };
  const target = populateTargetLabels(discovered, job, rules);
  expect(target.kind).toBe('target');
  if (target.kind !== 'target') return;
  expect(publicTargetLabels(target.labels).toObject()).toEqual({
    app: 'api',
    instance: '10.1.2.3:9102',
    job: 'pods',
  });
  expect(targetScrapeUrl(target.labels)).toBe('http://10.1.2.3:9102/metrics');
});
