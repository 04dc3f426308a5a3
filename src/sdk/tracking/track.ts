import type { Box, Point } from '../types.js';
import { boxAtCentre, boxCentre } from './box-geometry.js';

/** How much a new velocity measurement moves the estimate (an EMA weight; 1 = trust the last step only). */
const VELOCITY_GAIN = 0.6;

/**
 * One face track: the last measured box, a constant-velocity model of its centre (pixels per millisecond) and its
 * life-cycle counters. Boxes between detections are predictions from the last measurement.
 */
export class Track {
  /** Consecutive detection frames this track was matched on (reset by a miss). */
  hits = 1;
  confirmed = false;
  box: Box;
  lastSeenMs: number;
  private seenBox: Box;
  private velocity: Point | undefined;

  constructor(
    readonly id: number,
    box: Box,
    readonly firstSeenMs: number,
  ) {
    this.box = box;
    this.seenBox = box;
    this.lastSeenMs = firstSeenMs;
  }

  /** The box of the last matched detection: where the face was last seen. */
  get lastSeenBox(): Box {
    return this.seenBox;
  }

  /** Where the constant-velocity model puts the box at `timestampMs`. */
  predict(timestampMs: number): Box {
    if (!this.velocity) return this.seenBox;
    const dt = timestampMs - this.lastSeenMs;
    const centre = boxCentre(this.seenBox);
    return boxAtCentre({ x: centre.x + this.velocity.x * dt, y: centre.y + this.velocity.y * dt }, this.seenBox.width, this.seenBox.height);
  }

  /** A matched detection. */
  observe(box: Box, timestampMs: number): void {
    const dt = timestampMs - this.lastSeenMs;
    if (dt > 0) {
      const from = boxCentre(this.seenBox);
      const to = boxCentre(box);
      const measured = { x: (to.x - from.x) / dt, y: (to.y - from.y) / dt };
      this.velocity = this.velocity
        ? { x: this.velocity.x + VELOCITY_GAIN * (measured.x - this.velocity.x), y: this.velocity.y + VELOCITY_GAIN * (measured.y - this.velocity.y) }
        : measured;
    }
    this.box = box;
    this.seenBox = box;
    this.lastSeenMs = timestampMs;
    this.hits += 1;
  }

  /** A detection frame without a match. */
  miss(timestampMs: number): void {
    this.hits = 0;
    this.box = this.predict(timestampMs);
  }
}
