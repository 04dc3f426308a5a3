import type { Mat } from '../opencv.js';
import type { Frame } from '../types.js';

/**
 * Frees the native memory of intermediate Mats now rather than whenever the garbage collector runs (V8 is not told
 * how large Mats are, see opencv-env.ts). The frame's own Mat is never released here: it belongs to the caller.
 */
export function releaseMats(frame: Frame, ...mats: (Mat | null | undefined)[]): void {
  const done = new Set<unknown>([frame.data]);
  for (const mat of mats) {
    if (!mat || done.has(mat)) continue;
    done.add(mat);
    mat.release();
  }
}
