import type { Thumbnail } from './thumbnail.js';

/**
 * How different two pictures are, from their thumbnails: 1 - the correlation of their grey levels, from 0 (the same
 * picture, whatever its brightness and contrast) through 1 (unrelated pictures) to 2 (one the negative of the other).
 * On the Tears of Steel clip (bench/RESULTS.md), within a shot: at most 0.04 between consecutive frames and 0.18 three
 * frames apart; a fast camera pan 0.06-0.6 over 2-4 frames, a flashing light 0.25-0.43; across a shot cut 0.95-1.07. Two flat thumbnails do not differ (0); a flat
 * one and a picture are unrelated (1). Thumbnails of frames of different sizes are unrelated.
 */
export function pictureChange(a: Thumbnail, b: Thumbnail): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  if (a.flat || b.flat) return a.flat && b.flat ? 0 : 1;
  let sum = 0;
  for (let i = 0; i < a.values.length; i++) sum += a.values[i]! * b.values[i]!;
  return 1 - sum / a.values.length;
}
