import type { EmotionEvent } from '../types.js';

/**
 * The retained `faces/<id>` bookkeeping: the latest state of each visible face, which of them still have to be
 * (re)published on the current connection, and which ended faces still have a retained message on the broker to clear.
 * Only the latest state of a face is kept, so an outage costs memory per visible face, not per event.
 */
export class FaceStates {
  private readonly current = new Map<number, EmotionEvent>();
  private readonly unpublished = new Set<number>();
  /** Faces whose state was handed to the broker (maybe retained there) and not cleared since. */
  private readonly maybeRetained = new Set<number>();
  private readonly toClear = new Set<number>();

  update(event: EmotionEvent): void {
    if (event.type === 'end') {
      this.current.delete(event.face_id);
      this.unpublished.delete(event.face_id);
      if (this.maybeRetained.has(event.face_id)) this.toClear.add(event.face_id);
      return;
    }
    this.current.set(event.face_id, event);
    this.unpublished.add(event.face_id);
    this.toClear.delete(event.face_id);
  }

  /** After a (re)connect: the broker may have lost retained messages (restart without persistence), so send all again. */
  markAllUnpublished(): void {
    for (const id of this.current.keys()) this.unpublished.add(id);
  }

  /** Takes the pending work: states to publish (retained) and face ids to clear (empty retained message). */
  takePending(): { states: EmotionEvent[]; clears: number[] } {
    const states: EmotionEvent[] = [];
    for (const id of this.unpublished) {
      states.push(this.current.get(id)!);
      this.maybeRetained.add(id);
    }
    this.unpublished.clear();
    const clears = [...this.toClear];
    this.toClear.clear();
    return { states, clears };
  }

  /** A state publish failed before reaching the broker: try again on the next connection. */
  stateFailed(faceId: number): void {
    if (this.current.has(faceId)) this.unpublished.add(faceId);
  }

  clearDone(faceId: number): void {
    if (!this.current.has(faceId)) this.maybeRetained.delete(faceId);
  }

  clearFailed(faceId: number): void {
    if (!this.current.has(faceId)) this.toClear.add(faceId);
  }

  get size(): number {
    return this.current.size;
  }

  /** The face with the largest box (the person nearest the camera), if any. */
  nearest(): EmotionEvent | undefined {
    let best: EmotionEvent | undefined;
    for (const face of this.current.values()) {
      if (!best || face.box.width * face.box.height > best.box.width * best.box.height) best = face;
    }
    return best;
  }
}
