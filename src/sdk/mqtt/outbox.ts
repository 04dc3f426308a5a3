import { BoundedQueue } from './bounded-queue.js';
import type { OutboxJournal } from './outbox-journal.js';

export interface OutboxEntry {
  readonly seq: number;
  readonly payload: string;
}

/**
 * Events accepted from the pipeline and not yet settled by the broker (PUBACK), in order.
 *
 * Every entry is in one of three places: `queued` (not yet handed to the MQTT client), `inflight` (handed over, at
 * most `maxInflight`, waiting for its PUBACK; the MQTT client keeps these in its own store and re-sends them first
 * after a reconnect), or `retry` (the client gave it back with an error, so it was never stored there).
 * All three together never exceed `capacity`: when full, the oldest entry not in flight is dropped and counted.
 * With a journal, every entry is also on disk until it is acknowledged, refused or dropped, and a new outbox on the
 * same journal starts with the entries the last one left.
 */
export class EventOutbox {
  private readonly queued: BoundedQueue<OutboxEntry>;
  /** Sorted by seq; always older than everything in `queued`. */
  private readonly retry: OutboxEntry[] = [];
  private readonly inflight = new Map<number, OutboxEntry>();
  private nextSeq = 0;
  private droppedCount = 0;
  private deliveredCount = 0;
  private refusedCount = 0;

  constructor(
    readonly capacity: number,
    readonly maxInflight: number,
    private readonly journal?: OutboxJournal,
    /** Entries a previous process left in the journal, oldest first. */
    restored: readonly OutboxEntry[] = [],
  ) {
    this.queued = new BoundedQueue(capacity);
    for (const entry of restored) {
      if (this.queued.length === capacity) this.drop(this.queued.shift()!);
      this.queued.push(entry);
      this.nextSeq = entry.seq + 1;
    }
  }

  /** Accepted and not yet settled. */
  get pending(): number {
    return this.queued.length + this.retry.length + this.inflight.size;
  }

  /** Of `pending`, those held on disk. */
  get spooled(): number {
    return this.journal?.size ?? 0;
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

  /** Entries the broker refused (an MQTT 5 PUBACK reason code of 0x80 or more, e.g. Not authorized). */
  get refused(): number {
    return this.refusedCount;
  }

  /** Accepts a payload; returns false when the outbox was full and an entry (the oldest waiting, or this one) was dropped. */
  add(payload: string): boolean {
    const entry = { seq: this.nextSeq++, payload };
    this.journal?.add(entry);
    if (this.pending < this.capacity) {
      this.queued.push(entry);
      return true;
    }
    const oldest = this.retry.shift() ?? this.queued.shift();
    if (oldest) {
      this.drop(oldest);
      this.queued.push(entry);
    } else {
      this.drop(entry);
    }
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
    if (!this.inflight.delete(seq)) return;
    this.deliveredCount++;
    this.journal?.settle(seq);
  }

  /** The broker answered with a failure reason code: sending it again would be refused again. */
  refusedByBroker(seq: number): void {
    if (!this.inflight.delete(seq)) return;
    this.refusedCount++;
    this.journal?.settle(seq);
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

  /** Closes the journal: what is still pending stays on disk for the next outbox. */
  close(): void {
    this.journal?.close();
  }

  private drop(entry: OutboxEntry): void {
    this.droppedCount++;
    this.journal?.settle(entry.seq);
  }
}
