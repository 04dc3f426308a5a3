import type { Frame } from '../types.js';
import { pictureChange } from './picture-change.js';
import { thumbnail, type Thumbnail } from './thumbnail.js';

export interface DetectionScheduleConfig {
  /** Detect on every Nth frame at the latest (1 = every frame). */
  detectEvery: number;
  /**
   * Detect early, before the Nth frame, when the picture changed this much since the last detection frame
   * (`pictureChange`: 0 same picture, 1 unrelated); false = only every Nth frame.
   */
  detectOnChange: number | false;
}

/**
 * Why a frame is a detection frame: its turn (`detectEvery`), a change of picture (`detectOnChange`), or a face seen
 * on the previous frame that waits for confirmation (`confirmOnNextFrame`; decided by the pipeline, not here).
 */
export type DetectionTrigger = 'schedule' | 'change' | 'confirm';

export interface DetectionDecision {
  /** Set when the detector runs on this frame, saying why. */
  detect?: DetectionTrigger;
  /** Frames since the last detection frame (0 on a detection frame). */
  sinceDetection: number;
  /** The picture change against the last detection frame, when it was measured. */
  change?: number;
}

/**
 * Which frames the detector runs on: every `detectEvery`th frame, and with `detectOnChange` also any frame whose
 * picture differs enough from the last detection frame's (a shot cut, the camera panning, someone stepping in front
 * of it), after which the count of N starts again. Decided from the frames alone, in the order they are taken, so
 * the detector's thread (which takes frames ahead) gives the same detection frames as the main thread.
 */
export class DetectionSchedule {
  private sinceDetection = -1;
  private reference: Thumbnail | undefined;

  constructor(private readonly config: DetectionScheduleConfig) {}

  /** Whether the picture is measured at all (detection on every frame needs no trigger). */
  get measuresChange(): boolean {
    return this.config.detectOnChange !== false && this.config.detectEvery > 1;
  }

  /** Call once per frame, in order. */
  next(frame: Frame): DetectionDecision {
    const first = this.sinceDetection < 0;
    this.sinceDetection++;
    const scheduled = first || this.sinceDetection >= this.config.detectEvery;
    if (!this.measuresChange) return this.decided(scheduled ? 'schedule' : undefined);
    const current = thumbnail(frame);
    const change = this.reference ? pictureChange(current, this.reference) : undefined;
    const trigger: DetectionTrigger | undefined = scheduled
      ? 'schedule'
      : change !== undefined && change >= (this.config.detectOnChange as number)
        ? 'change'
        : undefined;
    if (trigger) this.reference = current;
    return { ...this.decided(trigger), ...(change !== undefined ? { change } : {}) };
  }

  private decided(trigger: DetectionTrigger | undefined): DetectionDecision {
    if (trigger) this.sinceDetection = 0;
    return { ...(trigger ? { detect: trigger } : {}), sinceDetection: this.sinceDetection };
  }
}
