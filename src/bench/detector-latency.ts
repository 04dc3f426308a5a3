import type { FaceDetector, Frame } from '../sdk/types.js';
import { timePerCall, type RepeatOptions } from './repeat.js';
import type { Spread } from './stats.js';

export interface DetectorLatency {
  detector: string;
  /** Milliseconds per detect() call on one frame. */
  perFrame: Spread;
  /** Mean faces found per frame over the frames used. */
  facesPerFrame: number;
}

/** Detector latency over real video frames, cycling through them: one detect() per iteration. */
export async function detectorLatency(detector: FaceDetector, frames: Frame[], options: RepeatOptions): Promise<DetectorLatency> {
  let found = 0;
  for (const frame of frames) found += (await detector.detect(frame)).length;
  let next = 0;
  const perFrame = await timePerCall(() => detector.detect(frames[next++ % frames.length]!), options);
  return { detector: detector.name, perFrame, facesPerFrame: found / frames.length };
}
