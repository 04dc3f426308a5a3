import type { Frame } from './types.js';

/**
 * Frees a frame's pixels now instead of when the garbage collector gets to its Mat: V8 is not told how large Mats
 * are (see opencv-env.ts), so at 25+ frames/s an unreleased stream of 1 MB frames would grow the process for a
 * long time before a collection. Safe on frames whose data is a plain array (nothing to do).
 */
export function releaseFrame(frame: Frame): void {
  const data = frame.data as { release?: () => void };
  if (typeof data.release === 'function') data.release();
}
