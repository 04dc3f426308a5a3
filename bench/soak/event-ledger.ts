/**
 * The events `fer-edge run --json` printed (the ones the pipeline handed to its MQTT sink) against the ones a
 * subscriber received, matched one to one by (face, frame, type): no face has two events of one type on one frame.
 */

/** The fields of an event payload the ledger reads; any other field is ignored. */
export interface EventIdentity {
  face_id: number;
  frame_seq: number;
  type: string;
  /** The frame's wall-clock time, ms since the epoch. */
  ts: number;
}

interface Delivery {
  arrivedAt: number;
  latencyMs: number;
}

/** A span when the path to the subscriber was cut: from the broker's stop until both ends were connected again. */
export interface Outage {
  from: number;
  /** Absent while the outage lasts. */
  to?: number;
}

export interface LedgerTotals {
  accepted: number;
  /** Accepted events received at least once. */
  delivered: number;
  lost: number;
  /** Extra copies received of accepted events (QoS 1 is at-least-once). */
  duplicated: number;
  /** Received but never printed by the process: should not exist. */
  unknown: number;
  /** Faces with at least one event, and those with an event not received exactly once or received but never printed. */
  faces: number;
  facesWithMismatch: number[];
}

export function isEventIdentity(value: unknown): value is EventIdentity {
  const event = value as Partial<EventIdentity> | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    Number.isInteger(event.face_id) &&
    Number.isInteger(event.frame_seq) &&
    typeof event.type === 'string' &&
    typeof event.ts === 'number'
  );
}

const keyOf = (event: EventIdentity): string => `${event.face_id}/${event.frame_seq}/${event.type}`;

export class EventLedger {
  private readonly accepted = new Map<string, EventIdentity>();
  private readonly received = new Map<string, Delivery[]>();

  accept(event: EventIdentity): void {
    this.accepted.set(keyOf(event), event);
  }

  receive(event: EventIdentity, arrivedAt: number): Delivery {
    const delivery = { arrivedAt, latencyMs: arrivedAt - event.ts };
    const key = keyOf(event);
    const list = this.received.get(key);
    if (list) list.push(delivery);
    else this.received.set(key, [delivery]);
    return delivery;
  }

  get acceptedCount(): number {
    return this.accepted.size;
  }

  /** Every accepted event has arrived at least once. */
  get complete(): boolean {
    for (const key of this.accepted.keys()) if (!this.received.has(key)) return false;
    return true;
  }

  totals(): LedgerTotals {
    const faces = new Set<number>();
    const mismatched = new Set<number>();
    let delivered = 0;
    let duplicated = 0;
    for (const [key, event] of this.accepted) {
      const copies = this.received.get(key)?.length ?? 0;
      if (copies > 0) delivered++;
      duplicated += Math.max(0, copies - 1);
      faces.add(event.face_id);
      if (copies !== 1) mismatched.add(event.face_id);
    }
    let unknown = 0;
    for (const [key, copies] of this.received) {
      if (this.accepted.has(key)) continue;
      unknown += copies.length;
      const faceId = Number(key.split('/')[0]);
      faces.add(faceId);
      mismatched.add(faceId);
    }
    const facesWithMismatch = [...mismatched].sort((a, b) => a - b);
    return { accepted: this.accepted.size, delivered, lost: this.accepted.size - delivered, duplicated, unknown, faces: faces.size, facesWithMismatch };
  }

  /**
   * First deliveries of accepted events, split into those that travelled while the path was up and those held by an
   * outage (their span from frame to arrival overlaps one): the first measure the pipeline and the link, the second
   * how long the outbox kept them.
   */
  deliveries(outages: readonly Outage[]): { steady: Delivery[]; held: Delivery[] } {
    const steady: Delivery[] = [];
    const held: Delivery[] = [];
    for (const [key, event] of this.accepted) {
      const first = this.received.get(key)?.[0];
      if (!first) continue;
      const overlaps = outages.some((o) => event.ts <= (o.to ?? Infinity) && first.arrivedAt >= o.from);
      (overlaps ? held : steady).push(first);
    }
    return { steady, held };
  }
}
