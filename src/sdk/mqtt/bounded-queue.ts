/**
 * A FIFO with a fixed capacity, on a ring buffer (O(1) push and shift, no reallocation).
 * Pushing onto a full queue evicts and returns the oldest item.
 */
export class BoundedQueue<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends `item`; when full, first evicts the oldest item and returns it. */
  push(item: T): T | undefined {
    let evicted: T | undefined;
    if (this.count === this.capacity) evicted = this.shift();
    this.items[(this.head + this.count) % this.capacity] = item;
    this.count++;
    return evicted;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }
}
