/**
 * A bounded hand-off from the frame loop to an async-iterator consumer. The loop never waits: when the consumer
 * falls behind, the oldest results are dropped (push returns true). Nothing is buffered until someone iterates.
 */
export class ResultBuffer<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  private iterating = false;
  private ended = false;
  private failure: unknown;

  constructor(private readonly capacity: number) {}

  /** Returns true when an old item had to be dropped. */
  push(item: T): boolean {
    if (!this.iterating || this.ended) return false;
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter.resolve({ value: item, done: false });
      return false;
    }
    this.items.push(item);
    if (this.items.length <= this.capacity) return false;
    this.items.shift();
    return true;
  }

  end(): void {
    this.ended = true;
    this.settle();
  }

  fail(error: unknown): void {
    this.failure = error;
    this.end();
  }

  iterator(): AsyncIterator<T> {
    this.iterating = true;
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.failure) return Promise.reject(this.failure);
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiter = { resolve, reject };
        });
      },
      return: () => {
        this.iterating = false;
        this.items.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private settle(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    if (this.failure) waiter.reject(this.failure);
    else waiter.resolve({ value: undefined, done: true });
  }
}
