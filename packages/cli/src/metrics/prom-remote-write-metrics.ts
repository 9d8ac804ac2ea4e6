import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RemoteWriteItemKind, RemoteWriteMetrics } from '@scrapewire/storage';

const PREFIX = 'prometheus_remote_storage_';
const KINDS: readonly RemoteWriteItemKind[] = ['samples', 'exemplars', 'histograms', 'metadata'];
/** How each kind reads in help text. */
const NOUN: Readonly<Record<RemoteWriteItemKind, string>> = {
  samples: 'samples',
  exemplars: 'exemplars',
  histograms: 'histogram samples',
  metadata: 'metadata entries',
};

/**
 * Remote-write metrics under Prometheus's `prometheus_remote_storage_*` names, with its constant labels
 * `remote_name` and `url`. Returns a factory: one {@link RemoteWriteMetrics} per remote_write queue, all
 * sharing the same registered metrics.
 */
export function createPromRemoteWriteMetrics(
  registry: Registry,
): (remoteName: string, url: string) => RemoteWriteMetrics {
  const registers = [registry];
  const labelNames = ['remote_name', 'url'];
  const perKind = (suffix: string, help: (noun: string) => string, extra: string[] = []) =>
    Object.fromEntries(
      KINDS.map((k) => [
        k,
        new Counter({
          name: `${PREFIX}${k}${suffix}`,
          help: help(NOUN[k]),
          labelNames: [...labelNames, ...extra],
          registers,
        }),
      ]),
    ) as Record<RemoteWriteItemKind, Counter>;
  const sent = perKind('_total', (k) => `Count of ${k} this queue delivered to the remote endpoint.`);
  const failed = perKind(
    '_failed_total',
    (k) =>
      `Count of ${k} abandoned after the remote endpoint answered with an error that retrying cannot fix.`,
  );
  const retried = perKind(
    '_retried_total',
    (k) => `Count of ${k} sent again after a send attempt ended in a recoverable error.`,
  );
  const dropped = perKind('_dropped_total', (k) => `Count of ${k} discarded without being sent, by reason.`, [
    'reason',
  ]);
  const pending = Object.fromEntries(
    KINDS.map((k) => [
      k,
      new Gauge({
        name: `${PREFIX}${k}_pending`,
        help: `Number of ${NOUN[k]} enqueued but not yet delivered or given up on.`,
        labelNames,
        registers,
      }),
    ]),
  ) as Record<RemoteWriteItemKind, Gauge>;
  const shards = new Gauge({
    name: `${PREFIX}shards`,
    help: 'Number of parallel senders this queue currently runs.',
    labelNames,
    registers,
  });
  const bytes = new Counter({
    name: `${PREFIX}bytes_total`,
    help: 'Compressed request-body bytes of samples, exemplars and histograms this queue has delivered.',
    labelNames,
    registers,
  });
  const metadataBytes = new Counter({
    name: `${PREFIX}metadata_bytes_total`,
    help: 'Compressed request-body bytes of metric metadata this queue has delivered.',
    labelNames,
    registers,
  });
  const highestIn = new Gauge({
    name: `${PREFIX}highest_timestamp_in_seconds`,
    help: 'Newest sample timestamp handed to this queue, in Unix seconds.',
    labelNames,
    registers,
  });
  const highestSent = new Gauge({
    name: `${PREFIX}queue_highest_sent_timestamp_seconds`,
    help: 'Newest sample timestamp this queue has delivered successfully, in Unix seconds.',
    labelNames,
    registers,
  });
  const batchDuration = new Histogram({
    name: `${PREFIX}sent_batch_duration_seconds`,
    help: 'Seconds each remote-write HTTP request took, one observation per attempt.',
    labelNames,
    // Prometheus's default buckets plus the long tail it adds for slow receivers.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 60, 120, 300],
    registers,
  });

  return (remoteName, url) => {
    const l = { remote_name: remoteName, url };
    for (const k of KINDS) {
      sent[k].inc(l, 0);
      failed[k].inc(l, 0);
      retried[k].inc(l, 0);
    }
    return {
      sent: (kind, n) => sent[kind].inc(l, n),
      failed: (kind, n) => failed[kind].inc(l, n),
      retried: (kind, n) => retried[kind].inc(l, n),
      dropped: (kind, n, reason) => dropped[kind].inc({ ...l, reason }, n),
      setPending: (kind, n) => pending[kind].set(l, n),
      setShards: (n) => shards.set(l, n),
      bytesSent: (n, metadata) => (metadata ? metadataBytes : bytes).inc(l, n),
      setHighestTimestampSeconds: (s) => highestIn.set(l, s),
      setHighestSentTimestampSeconds: (s) => highestSent.set(l, s),
      observeSentBatchDuration: (s) => batchDuration.observe(l, s),
    };
  };
}
