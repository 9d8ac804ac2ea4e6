/**
 * A FIFO bounded to `capacity` items that drops its OLDEST item to make room, so a long receiver outage
 * keeps the newest data. Grows its backing array on demand, so an idle queue costs little memory.
 */
export class RingBuffer<T> {
  #items: (T | undefined)[] = new Array(16);
  #head = 0;
  #length = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.#length;
  }

  /** Appends `item`; returns the item dropped to make room, if any. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.#length === this.capacity) {
      dropped = this.shift();
    } else if (this.#length === this.#items.length) {
      this.#grow();
    }
    this.#items[(this.#head + this.#length) % this.#items.length] = item;
    this.#length++;
    return dropped;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    return item;
  }

  /** Removes and returns up to `n` oldest items, oldest first. */
  take(n: number): T[] {
    const out: T[] = [];
    while (out.length < n && this.#length > 0) out.push(this.shift()!);
    return out;
  }

  #grow(): void {
    const size = Math.min(this.capacity, this.#items.length * 2);
    const next: (T | undefined)[] = new Array(size);
    for (let i = 0; i < this.#length; i++) next[i] = this.#items[(this.#head + i) % this.#items.length];
    this.#items = next;
    this.#head = 0;
  }
}
