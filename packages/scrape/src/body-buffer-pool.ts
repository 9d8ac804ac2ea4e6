/**
 * Reusable buffers for scrape bodies.
 *
 * Why by hand: a body arrives as several socket chunks, and joining them with `Buffer.concat` allocated a
 * fresh body-sized buffer per scrape. Those buffers live outside the V8 heap and are freed only after the
 * next scavenge, so at 200 scrapes a second the dead ones piled up to tens of MiB of malloc heap between
 * collections (docs/benchmarks.d/agent.md). A job's scrapes run a few at a time, so a handful of buffers,
 * handed back once a body is parsed, serve them all.
 */
export class BodyBufferPool {
  readonly #free: Buffer[] = [];

  /**
   * @param maxFree - buffers kept for reuse; more concurrent scrapes than this allocate and drop theirs.
   * @param maxPooledBytes - a buffer larger than this (a rare huge body) is never kept.
   */
  constructor(
    readonly maxFree = 8,
    readonly maxPooledBytes = 8 * 2 ** 20,
  ) {}

  /** Buffers waiting for reuse. */
  get size(): number {
    return this.#free.length;
  }

  /** A buffer of at least `minBytes`, reused when one is free. Its contents are garbage. */
  acquire(minBytes: number): Buffer {
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      const b = free[i]!;
      if (b.length >= minBytes) {
        free[i] = free[free.length - 1]!;
        free.pop();
        return b;
      }
    }
    // Round up so that a body that grows a little does not need a new buffer on every scrape.
    return Buffer.allocUnsafeSlow(Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(Math.max(1, minBytes)))));
  }

  /** Gives a buffer back. The caller must not read or write it any more. */
  release(buf: Buffer): void {
    if (buf.length > this.maxPooledBytes) return;
    const free = this.#free;
    if (free.length < this.maxFree) {
      free.push(buf);
      return;
    }
    // Full: keep the larger buffer, so the pool converges on the job's body size.
    let smallest = 0;
    for (let i = 1; i < free.length; i++) if (free[i]!.length < free[smallest]!.length) smallest = i;
    if (free[smallest]!.length < buf.length) free[smallest] = buf;
  }
}

/** Collects a body's chunks into one pooled buffer, growing it (from the pool) as chunks arrive. */
export class BodyCollector {
  #buf: Buffer | undefined;
  #length = 0;

  constructor(private readonly pool: BodyBufferPool) {}

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    const need = this.#length + chunk.length;
    let buf = this.#buf;
    if (buf === undefined || buf.length < need) {
      const next = this.pool.acquire(Math.max(need, buf === undefined ? 0 : buf.length * 2));
      if (buf !== undefined) {
        buf.copy(next, 0, 0, this.#length);
        this.pool.release(buf);
      }
      this.#buf = next;
      buf = next;
    }
    buf.set(chunk, this.#length);
    this.#length = need;
  }

  /** The body so far, as a view of the pooled buffer: valid until {@link release}. */
  view(): Uint8Array {
    return this.#buf === undefined ? new Uint8Array(0) : this.#buf.subarray(0, this.#length);
  }

  /** Hands the buffer back to the pool; the view must not be used any more. Idempotent. */
  release(): void {
    const buf = this.#buf;
    this.#buf = undefined;
    this.#length = 0;
    if (buf !== undefined) this.pool.release(buf);
  }
}
