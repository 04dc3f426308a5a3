import { FACE_STATE_SCHEMA_ID, type EmotionEvent, type FaceState } from '../events/event-schema.js';

/**
 * The retained `faces/<id>` bookkeeping: the latest FaceState of each visible face, which of them are due to be
 * (re)published, and which ended faces still have a retained message on the broker to clear.
 * Only the latest state of a face is kept, so an outage costs memory per visible face, not per frame or event.
 *
 * States come from events (every event refreshes its face at once) and, optionally, per frame from the tracker
 * (`set`), published at most once per `minIntervalMs` per face so that a retained topic is not rewritten 30 times a second.
 */
export class FaceStates {
  private readonly current = new Map<number, FaceState>();
  private readonly lastSentAt = new Map<number, number>();
  private readonly due = new Set<number>();
  private readonly throttled = new Set<number>();
  /** Faces whose state was handed to the broker (maybe retained there) and not cleared since. */
  private readonly maybeRetained = new Set<number>();
  private readonly toClear = new Set<number>();

  constructor(private readonly minIntervalMs: number) {}

  /** An event: 'end' clears the face; otherwise its state (derived from the event) is due now. */
  update(event: EmotionEvent): void {
    const id = event.face_id;
    if (event.type === 'end') {
      this.current.delete(id);
      this.lastSentAt.delete(id);
      this.due.delete(id);
      this.throttled.delete(id);
      if (this.maybeRetained.has(id)) this.toClear.add(id);
      return;
    }
    const { schema: _schema, type: _type, ...fields } = event;
    const previous = this.current.get(id);
    const since_ts = previous && previous.emotion === event.emotion ? previous.since_ts : event.ts;
    this.current.set(id, { schema: FACE_STATE_SCHEMA_ID, ...fields, since_ts, visible: previous?.visible ?? true });
    this.due.add(id);
    this.throttled.delete(id);
    this.toClear.delete(id);
  }

  /**
   * A per-frame state from the tracker: published when `minIntervalMs` has passed since this face's last publish.
   * Only for faces an event announced (and not ended), so that a late state cannot resurrect an ended face.
   */
  set(state: FaceState): void {
    if (!this.current.has(state.face_id)) return;
    this.current.set(state.face_id, state);
    if (!this.due.has(state.face_id)) this.throttled.add(state.face_id);
    this.toClear.delete(state.face_id);
  }

  /** After a (re)connect: the broker may have lost retained messages (restart without persistence), so send all again. */
  markAllDue(): void {
    for (const id of this.current.keys()) this.due.add(id);
    this.throttled.clear();
  }

  /** Takes the work due at `nowMs`: states to publish (retained) and face ids to clear (empty retained message). */
  takeDue(nowMs: number): { states: FaceState[]; clears: number[] } {
    for (const id of this.throttled) {
      if (nowMs - (this.lastSentAt.get(id) ?? -Infinity) >= this.minIntervalMs) {
        this.throttled.delete(id);
        this.due.add(id);
      }
    }
    const states: FaceState[] = [];
    for (const id of this.due) {
      states.push(this.current.get(id)!);
      this.lastSentAt.set(id, nowMs);
      this.maybeRetained.add(id);
    }
    this.due.clear();
    const clears = [...this.toClear];
    this.toClear.clear();
    return { states, clears };
  }

  /** A state publish failed before reaching the broker: send it again on the next connection. */
  stateFailed(faceId: number): void {
    if (this.current.has(faceId)) this.due.add(faceId);
  }

  clearDone(faceId: number): void {
    if (!this.current.has(faceId)) this.maybeRetained.delete(faceId);
  }

  clearFailed(faceId: number): void {
    if (!this.current.has(faceId)) this.toClear.add(faceId);
  }

  /** A face announced by an event and not ended. */
  has(faceId: number): boolean {
    return this.current.has(faceId);
  }

  get size(): number {
    return this.current.size;
  }

  /** The face with the largest box (the person nearest the camera), if any. */
  nearest(): FaceState | undefined {
    let best: FaceState | undefined;
    for (const face of this.current.values()) {
      if (!best || face.box.width * face.box.height > best.box.width * best.box.height) best = face;
    }
    return best;
  }
}
