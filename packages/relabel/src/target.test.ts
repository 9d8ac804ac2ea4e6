import { Labels } from '@scrapewire/model';
import { describe, expect, it } from 'vitest';
import { compileRelabelConfigs } from './compile.js';
import { DEFAULT_RELABEL_CONFIG, type RelabelConfig } from './relabel-config.js';
import { targetScrapeUrl } from './scrape-url.js';
import {
  discoveredTargetLabels,
  populateTargetLabels,
  publicTargetLabels,
  type TargetLabelOptions,
  targetsFromGroup,
} from './target.js';

const r = (x: Partial<RelabelConfig>): RelabelConfig => ({ ...DEFAULT_RELABEL_CONFIG, ...x });
const job: TargetLabelOptions = {
  jobName: 'node',
  scrapeIntervalMs: 60_000,
  scrapeTimeoutMs: 10_000,
  metricsPath: '/metrics',
  scheme: 'http',
  params: { module: ['http_2xx', 'second'] },
};
const none = compileRelabelConfigs([]);
const HIST = {
  __convert_classic_histograms_to_nhcb__: 'false',
  __always_scrape_classic_histograms__: 'false',
  __scrape_native_histograms__: 'false',
};

describe('discoveredTargetLabels', () => {
  it('adds the job defaults where absent', () => {
    expect(discoveredTargetLabels(Labels.from({ __address__: 'h:9100' }), job).toObject()).toEqual({
      __address__: 'h:9100',
      job: 'node',
      __scrape_interval__: '1m',
      __scrape_timeout__: '10s',
      __metrics_path__: '/metrics',
      __scheme__: 'http',
      __param_module: 'http_2xx',
      ...HIST,
    });
  });

  it('keeps discovered values, including a discovered __param_ (3.x, prometheus#11029)', () => {
    const d = discoveredTargetLabels(
      Labels.from({ __address__: 'h', job: 'mine', __param_module: 'icmp', __scheme__: 'https' }),
      { ...job, scrapeNativeHistograms: true },
    );
    expect(d.get('job')).toBe('mine');
    expect(d.get('__param_module')).toBe('icmp');
    expect(d.get('__scheme__')).toBe('https');
    expect(d.get('__scrape_native_histograms__')).toBe('true');
  });

  it('fills in group labels the target lacks', () => {
    const d = discoveredTargetLabels(
      Labels.from({ __address__: 'h', env: 'a' }),
      job,
      Labels.from({ env: 'b', dc: 'x' }),
    );
    expect(d.get('env')).toBe('a');
    expect(d.get('dc')).toBe('x');
  });
});

describe('populateTargetLabels', () => {
  it('builds a target: meta labels deleted, instance defaulted, no port added', () => {
    const res = populateTargetLabels(Labels.from({ __address__: 'example.org', __meta_x: 'y' }), job, none);
    expect(res.kind).toBe('target');
    if (res.kind !== 'target') return;
    expect(res.labels.get('instance')).toBe('example.org');
    expect(res.labels.has('__meta_x')).toBe(false);
    expect(res.discoveredLabels.get('__meta_x')).toBe('y');
    expect(publicTargetLabels(res.labels).toObject()).toEqual({ instance: 'example.org', job: 'node' });
  });

  it('keeps __tmp and other internal labels internally but not publicly', () => {
    const rules = compileRelabelConfigs([r({ targetLabel: '__tmp_x', replacement: '1' })]);
    const res = populateTargetLabels(Labels.from({ __address__: 'h:1', instance: 'mine' }), job, rules);
    if (res.kind !== 'target') throw new Error(res.kind);
    expect(res.labels.get('__tmp_x')).toBe('1');
    expect(res.labels.get('instance')).toBe('mine');
    expect(publicTargetLabels(res.labels).has('__tmp_x')).toBe(false);
  });

  it('reports a dropped target with its discovered labels', () => {
    const rules = compileRelabelConfigs([
      r({ sourceLabels: ['__meta_keep'], regex: 'true', action: 'keep' }),
    ]);
    const res = populateTargetLabels(Labels.from({ __address__: 'h:1', __meta_keep: 'no' }), job, rules);
    expect(res.kind).toBe('dropped');
    expect(res.discoveredLabels.get('__meta_keep')).toBe('no');
    expect(res.discoveredLabels.get('job')).toBe('node');
  });

  const failing: [string, Partial<RelabelConfig>[], Record<string, string>, string][] = [
    ['no address', [], {}, 'no address'],
    [
      'address deleted by relabeling',
      [{ targetLabel: '__address__', replacement: '' }],
      { __address__: 'h' },
      'no address',
    ],
    ['a URL as address', [], { __address__: 'http://h:80/x' }, '"http://h:80/x" is not a valid hostname'],
    [
      'bad interval',
      [{ targetLabel: '__scrape_interval__', replacement: '1x' }],
      { __address__: 'h' },
      'error parsing scrape interval: unknown unit "x" in duration "1x"',
    ],
    [
      'unordered interval',
      [{ targetLabel: '__scrape_interval__', replacement: '1s1m' }],
      { __address__: 'h' },
      'error parsing scrape interval: not a valid duration string: "1s1m"',
    ],
    [
      'zero interval',
      [{ targetLabel: '__scrape_interval__', replacement: '0s' }],
      { __address__: 'h' },
      'scrape interval cannot be 0',
    ],
    [
      'zero timeout',
      [{ targetLabel: '__scrape_timeout__', replacement: '0' }],
      { __address__: 'h' },
      'scrape timeout cannot be 0',
    ],
    [
      'timeout above interval',
      [{ targetLabel: '__scrape_timeout__', replacement: '2m' }],
      { __address__: 'h' },
      'scrape timeout cannot be greater than scrape interval ("2m" > "1m")',
    ],
    [
      'bad histogram flag',
      [{ targetLabel: '__scrape_native_histograms__', replacement: 'yes' }],
      { __address__: 'h' },
      'error parsing scrape native histograms: strconv.ParseBool: parsing "yes": invalid syntax',
    ],
    [
      'invalid UTF-8 value',
      [],
      { __address__: 'h', bad: '\uD800' },
      'invalid label value for "bad": "\\ufffd"',
    ],
  ];
  it.each(failing)('fails: %s', (_name, rules, input, message) => {
    const res = populateTargetLabels(Labels.from(input), job, compileRelabelConfigs(rules.map(r)));
    expect(res.kind).toBe('failed');
    if (res.kind === 'failed') expect(res.error).toBe(message);
  });

  it('accepts a relabeled interval and timeout', () => {
    const rules = compileRelabelConfigs([
      r({ targetLabel: '__scrape_interval__', replacement: '1h30m' }),
      r({ targetLabel: '__scrape_timeout__', replacement: '90m' }),
    ]);
    expect(populateTargetLabels(Labels.from({ __address__: 'h' }), job, rules).kind).toBe('target');
  });
});

describe('targetsFromGroup', () => {
  it('merges group labels, keeps order and prefixes errors', () => {
    const out = targetsFromGroup(
      {
        source: 'file.json:0',
        labels: { env: 'prod', team: 'a' },
        targets: [
          { __address__: 'a:1' },
          { __address__: 'b:1', env: 'dev' },
          { team: '' },
          { __address__: 'c:1', team: '' },
        ],
      },
      job,
      none,
    );
    expect(out.map((t) => t.kind)).toEqual(['target', 'target', 'failed', 'target']);
    const [a, b, c, d] = out;
    if (a?.kind !== 'target' || b?.kind !== 'target' || c?.kind !== 'failed' || d?.kind !== 'target')
      throw new Error();
    expect(a.labels.get('env')).toBe('prod');
    expect(b.labels.get('env')).toBe('dev');
    expect(c.error).toBe('instance 2 in group file.json:0: no address');
    expect(c.index).toBe(2);
    // An explicitly empty target label shadows the group's value.
    expect(d.labels.has('team')).toBe(false);
  });
});

/** Cases for `targetScrapeUrl`: name, labels, job params, expected URL (as Go's `url.URL.String`). */
const scrapeUrlCases: [string, Record<string, string>, Record<string, string[]>, string][] = [
  [
    'plain',
    { __scheme__: 'http', __address__: 'h:80', __metrics_path__: '/metrics' },
    {},
    'http://h:80/metrics',
  ],
  [
    'params sorted, first value replaced by __param_',
    {
      __scheme__: 'https',
      __address__: 'h',
      __metrics_path__: '/probe',
      __param_module: 'icmp',
      __param_a: '1',
    },
    { module: ['http', 'tcp'], z: ['9'] },
    'https://h/probe?a=1&module=icmp&module=tcp&z=9',
  ],
  [
    'query escaping like url.QueryEscape',
    { __scheme__: 'http', __address__: 'h', __metrics_path__: '/m', __param_q: 'a b&c=d/é~' },
    {},
    'http://h/m?q=a+b%26c%3Dd%2F%C3%A9~',
  ],
  [
    'path escaping',
    { __scheme__: 'http', __address__: 'h', __metrics_path__: '/a b/c?d' },
    {},
    'http://h/a%20b/c%3Fd',
  ],
  [
    'relative path gets a slash',
    { __scheme__: 'http', __address__: 'h', __metrics_path__: 'metrics' },
    {},
    'http://h/metrics',
  ],
  [
    'IPv6 host',
    { __scheme__: 'http', __address__: '[::1]:9090', __metrics_path__: '/metrics' },
    {},
    'http://[::1]:9090/metrics',
  ],
  [
    'empty param value kept from params',
    { __scheme__: 'http', __address__: 'h', __metrics_path__: '/' },
    { x: [''] },
    'http://h/?x=',
  ],
];

describe('targetScrapeUrl', () => {
  it.each(scrapeUrlCases)('%s', (_name, labels, params, want) => {
    expect(targetScrapeUrl(Labels.from(labels), params)).toBe(want);
  });

  it('agrees with the populated labels of a target', () => {
    const res = populateTargetLabels(
      Labels.from({ __address__: 'h:9115', __param_target: 'a b' }),
      job,
      none,
    );
    if (res.kind !== 'target') throw new Error(res.kind);
    expect(targetScrapeUrl(res.labels, job.params)).toBe(
      'http://h:9115/metrics?module=http_2xx&module=second&target=a+b',
    );
  });
});
