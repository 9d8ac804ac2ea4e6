import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RemoteWriteItemKind, RemoteWriteMetrics } from '@scrapewire/storage';

const PREFIX = 'prometheus_remote_storage_';
const KINDS: readonly RemoteWriteItemKind[] = ['samples', 'exemplars', 'histograms', 'metadata'];

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
  const perKind = (suffix: string, help: string, extra: string[] = []) =>
    Object.fromEntries(
      KINDS.map((k) => [
        k,
        new Counter({
          name: `${PREFIX}${k}${suffix}`,
          help: `${help} (${k})`,
          labelNames: [...labelNames, ...extra],
          registers,
        }),
      ]),
    ) as Record<RemoteWriteItemKind, Counter>;
  const sent = perKind('_total', 'Total number of items sent to remote storage.');
  const failed = perKind(
    '_failed_total',
    'Total number of items which failed on send to remote storage, non-recoverable errors.',
  );
  const retried = perKind(
    '_retried_total',
    'Total number of items which failed on send to remote storage but were retried because the send error was recoverable.',
  );
  const dropped = perKind(
    '_dropped_total',
    'Total number of items which were dropped before being sent to remote storage.',
    ['reason'],
  );
  const pending = Object.fromEntries(
    KINDS.map((k) => [
      k,
      new Gauge({
        name: `${PREFIX}${k}_pending`,
        help: `The number of ${k} pending in the queues shards to be sent to the remote storage.`,
        labelNames,
        registers,
      }),
    ]),
  ) as Record<RemoteWriteItemKind, Gauge>;
  const shards = new Gauge({
    name: `${PREFIX}shards`,
    help: 'The number of shards used for parallel sending to the remote storage.',
    labelNames,
    registers,
  });
  const bytes = new Counter({
    name: `${PREFIX}bytes_total`,
    help: 'The total number of bytes of data (not metadata) sent by the queue after compression.',
    labelNames,
    registers,
  });
  const metadataBytes = new Counter({
    name: `${PREFIX}metadata_bytes_total`,
    help: 'The total number of bytes of metadata sent by the queue after compression.',
    labelNames,
    registers,
  });
  const highestIn = new Gauge({
    name: `${PREFIX}highest_timestamp_in_seconds`,
    help: 'Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.',
    labelNames,
    registers,
  });
  const highestSent = new Gauge({
    name: `${PREFIX}queue_highest_sent_timestamp_seconds`,
    help: 'Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.',
    labelNames,
    registers,
  });
  const batchDuration = new Histogram({
    name: `${PREFIX}sent_batch_duration_seconds`,
    help: 'Duration of send calls to the remote storage.',
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
