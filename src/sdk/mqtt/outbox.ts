import { BoundedQueue } from './bounded-queue.js';

export interface OutboxEntry {
  readonly seq: number;
  readonly payload: string;
}

/**
 * Events accepted from the pipeline and not yet acknowledged by the broker (PUBACK), in order.
 *
 * Every entry is in one of three places: `queued` (not yet handed to the MQTT client), `inflight` (handed over, at
 * most `maxInflight`, waiting for its PUBACK; the MQTT client keeps these in its own store and re-sends them first
 * after a reconnect), or `retry` (the client gave it back with an error, so it was never stored there).
 * All three together never exceed `capacity`: when full, the oldest entry not in flight is dropped and counted.
 */
export class EventOutbox {
  private readonly queued: BoundedQueue<OutboxEntry>;
  /** Sorted by seq; always older than everything in `queued`. */
  private readonly retry: OutboxEntry[] = [];
  private readonly inflight = new Map<number, OutboxEntry>();
  private nextSeq = 0;
  private droppedCount = 0;
  private deliveredCount = 0;

  constructor(
    readonly capacity: number,
    readonly maxInflight: number,
  ) {
    this.queued = new BoundedQueue(capacity);
  }

  /** Accepted and not yet acknowledged. */
  get pending(): number {
    return this.queued.length + this.retry.length + this.inflight.size;
  }

  get inflightCount(): number {
    return this.inflight.size;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  get delivered(): number {
    return this.deliveredCount;
  }

  /** Accepts a payload; returns false when the outbox was full and an entry (the oldest waiting, or this one) was dropped. */
  add(payload: string): boolean {
    const entry = { seq: this.nextSeq++, payload };
    if (this.pending < this.capacity) {
      this.queued.push(entry);
      return true;
    }
    this.droppedCount++;
    if (this.retry.shift() ?? this.queued.shift()) this.queued.push(entry);
    return false;
  }

  /** The next entry to hand to the client, oldest first, or undefined when none is waiting or the window is full. */
  next(): OutboxEntry | undefined {
    if (this.inflight.size >= this.maxInflight) return undefined;
    const entry = this.retry.shift() ?? this.queued.shift();
    if (entry) this.inflight.set(entry.seq, entry);
    return entry;
  }

  acked(seq: number): void {
    if (this.inflight.delete(seq)) this.deliveredCount++;
  }

  /** The client could not take the entry (it never reached its store): send it again, before anything newer. */
  failed(seq: number): void {
    const entry = this.inflight.get(seq);
    if (!entry) return;
    this.inflight.delete(seq);
    let at = this.retry.length;
    while (at > 0 && this.retry[at - 1]!.seq > seq) at--;
    this.retry.splice(at, 0, entry);
  }
}
