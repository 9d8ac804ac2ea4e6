import type { ScrapeConfig } from '@scrapewire/config';
import type { Labels } from '@scrapewire/model';
import type { Appendable, Appender, Exemplar, Metadata, SeriesRef } from '@scrapewire/storage';
import { StorageError } from '@scrapewire/storage';

/** A scrape job with Prometheus's defaults, for tests. */
export function jobConfig(overrides: Partial<ScrapeConfig> = {}): ScrapeConfig {
  return {
    jobName: 'job',
    scrapeIntervalMs: 10_000,
    scrapeTimeoutMs: 5_000,
    scrapeProtocols: [
      'OpenMetricsText1.0.0',
      'OpenMetricsText0.0.1',
      'PrometheusText1.0.0',
      'PrometheusText0.0.4',
    ],
    scrapeNativeHistograms: false,
    alwaysScrapeClassicHistograms: false,
    convertClassicHistogramsToNhcb: false,
    metricsPath: '/metrics',
    scheme: 'http',
    params: {},
    honorLabels: false,
    honorTimestamps: true,
    trackTimestampsStaleness: false,
    enableCompression: true,
    bodySizeLimitBytes: 0,
    sampleLimit: 0,
    labelLimit: 0,
    labelNameLengthLimit: 0,
    labelValueLengthLimit: 0,
    targetLimit: 0,
    keepDroppedTargets: 0,
    nativeHistogramBucketLimit: 0,
    nativeHistogramMinBucketFactor: 0,
    metricNameValidationScheme: 'utf8',
    metricNameEscapingScheme: 'allow-utf-8',
    extraScrapeMetrics: false,
    httpClient: {
      tlsConfig: { insecureSkipVerify: false },
      proxyFromEnvironment: false,
      proxyConnectHeader: {},
      httpHeaders: {},
      followRedirects: true,
      enableHttp2: false,
    },
    relabelConfigs: [],
    metricRelabelConfigs: [],
    serviceDiscovery: { staticConfigs: [], fileSdConfigs: [], httpSdConfigs: [], kubernetesSdConfigs: [] },
    ...overrides,
  };
}

/** One committed sample; `value` is `'stale'` for a staleness marker. */
export interface Recorded {
  readonly series: string;
  readonly t: number;
  readonly value: number | 'stale';
}

/**
 * An Appendable that keeps committed samples in order and drops rolled-back ones, so tests can assert
 * that nothing of a failed scrape was half-appended. `reject` lets a test make the storage refuse samples.
 */
export class RecordingAppendable implements Appendable {
  readonly committed: Recorded[] = [];
  /** Committed exemplars (series and value). */
  readonly exemplars: { series: string; value: number }[] = [];
  /** Committed `updateMetadata` calls, in order. */
  readonly metadata: { series: string; metadata: Metadata }[] = [];
  commits = 0;
  rollbacks = 0;
  open = 0;
  reject: ((series: string, t: number) => StorageError | undefined) | undefined;
  /** When set, the next commit fails and keeps nothing (as a storage whose flush failed). */
  failNextCommit = false;
  private nextRef = 1;
  private readonly refs = new Map<string, number>();

  appender(): Appender {
    const pending: Recorded[] = [];
    const pendingExemplars: { series: string; value: number }[] = [];
    const pendingMetadata: { series: string; metadata: Metadata }[] = [];
    let done = false;
    this.open++;
    const ref = (l: Labels): SeriesRef => {
      const k = l.toString();
      let r = this.refs.get(k);
      if (r === undefined) {
        r = this.nextRef++;
        this.refs.set(k, r);
      }
      return r;
    };
    const check = () => {
      if (done) throw new Error('appender used after commit/rollback');
    };
    return {
      append: (_r, labels, t, v) => {
        check();
        const err = this.reject?.(labels.toString(), t);
        if (err) throw err;
        pending.push({ series: labels.toString(), t, value: v });
        return ref(labels);
      },
      appendStale: (_r, labels, t) => {
        check();
        pending.push({ series: labels.toString(), t, value: 'stale' });
        return ref(labels);
      },
      appendExemplar: (r: SeriesRef, l: Labels, e: Exemplar) => {
        check();
        pendingExemplars.push({ series: l.toString(), value: e.value });
        return r;
      },
      appendHistogram: (r) => r,
      updateMetadata: (r, l, m) => {
        check();
        pendingMetadata.push({ series: l.toString(), metadata: m });
        return r;
      },
      commit: async () => {
        check();
        done = true;
        this.open--;
        if (this.failNextCommit) {
          this.failNextCommit = false;
          throw new Error('commit failed');
        }
        this.commits++;
        this.committed.push(...pending);
        this.exemplars.push(...pendingExemplars);
        this.metadata.push(...pendingMetadata);
      },
      rollback: async () => {
        check();
        done = true;
        this.open--;
        this.rollbacks++;
      },
    };
  }

  /** Committed values of one series (by its `{…}` string), in order. */
  values(series: string): (number | 'stale')[] {
    return this.committed.filter((r) => r.series === series).map((r) => r.value);
  }

  /** Committed samples whose series has metric name `name`. */
  byName(name: string): Recorded[] {
    return this.committed.filter((r) => r.series.includes(`__name__="${name}"`));
  }

  clear(): void {
    this.committed.length = 0;
  }
}

export { StorageError };
