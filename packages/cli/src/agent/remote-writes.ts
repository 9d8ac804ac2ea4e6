import { createHash } from 'node:crypto';
import { Secret, type PrometheusConfig, type RemoteWriteConfig } from '@scrapewire/config';
import type { Logger } from '@scrapewire/model';
import { createRemoteWrite, type RemoteWriteMetrics, type RemoteWriteStorage } from '@scrapewire/storage';

/**
 * A stable identity of one remote_write entry together with the external labels it applies. Secrets take
 * part through a hash of their value (their JSON form is always `<secret>`), so a rotated password restarts
 * the queue as it does in Prometheus.
 */
export function remoteWriteIdentity(
  rw: RemoteWriteConfig,
  externalLabels: Readonly<Record<string, string>>,
): string {
  return JSON.stringify({ rw, externalLabels }, function (this: Record<string, unknown>, key, value) {
    const original = this[key];
    if (original instanceof Secret)
      return `secret:${createHash('sha256').update(original.reveal()).digest('hex')}`;
    return value;
  });
}

/** The queue name Prometheus uses: the configured `name`, else the first 6 hex digits of the config hash. */
export function remoteName(rw: RemoteWriteConfig, identity: string): string {
  return rw.name ?? createHash('sha256').update(identity).digest('hex').slice(0, 6);
}

/**
 * Keeps one running remote-write queue per `remote_write` entry across config reloads: unchanged entries
 * keep their queue (and what it has buffered), changed or removed ones are flushed and closed within a
 * deadline, new ones start.
 */
export class RemoteWrites {
  readonly #queues = new Map<string, RemoteWriteStorage>();

  constructor(
    private readonly metricsFor: (remoteName: string, url: string) => RemoteWriteMetrics,
    private readonly logger: Logger,
    private readonly flushDeadlineMs: number,
  ) {}

  /** Applies the remote_write section of a new config; resolves when the replaced queues have closed. */
  async apply(config: PrometheusConfig): Promise<void> {
    const wanted = new Map<string, RemoteWriteConfig>();
    for (const rw of config.remoteWrite)
      wanted.set(remoteWriteIdentity(rw, config.global.externalLabels), rw);
    const closing: Promise<void>[] = [];
    for (const [id, queue] of this.#queues) {
      if (wanted.has(id)) continue;
      this.#queues.delete(id);
      closing.push(this.#close(queue));
    }
    for (const [id, rw] of wanted) {
      if (this.#queues.has(id)) continue;
      const name = remoteName(rw, id);
      this.#queues.set(
        id,
        createRemoteWrite({
          config: rw,
          externalLabels: config.global.externalLabels,
          metrics: this.metricsFor(name, rw.url),
          logger: this.logger,
        }),
      );
      this.logger.info({ remote_name: name, url: rw.url }, 'Starting remote write queue');
    }
    await Promise.all(closing);
  }

  /** The running queues. */
  queues(): RemoteWriteStorage[] {
    return [...this.#queues.values()];
  }

  /** Flushes and closes every queue within the deadline. */
  async closeAll(): Promise<void> {
    const all = [...this.#queues.values()];
    this.#queues.clear();
    await Promise.all(all.map((q) => this.#close(q)));
  }

  async #close(queue: RemoteWriteStorage): Promise<void> {
    const result = await queue.close({ deadlineMs: this.flushDeadlineMs });
    if (!result.flushed) {
      this.logger.warn({ dropped: result.dropped }, 'Remote write queue closed before everything was sent');
    }
  }
}
