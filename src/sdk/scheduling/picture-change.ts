import type { Thumbnail } from './thumbnail.js';

/**
 * How different two pictures are, from their thumbnails: 1 - the correlation of their grey levels, from 0 (the same
 * picture, whatever its brightness and contrast) through 1 (unrelated pictures) to 2 (one the negative of the other).
 * What motion, pans, flashes and cuts measure on the demo clip is in bench/RESULTS.md. Two flat thumbnails do not differ (0); a flat
 * one and a picture are unrelated (1). Thumbnails of frames of different sizes are unrelated.
 */
export function pictureChange(a: Thumbnail, b: Thumbnail): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  if (a.flat || b.flat) return a.flat && b.flat ? 0 : 1;
  let sum = 0;
  for (let i = 0; i < a.values.length; i++) sum += a.values[i]! * b.values[i]!;
  return 1 - sum / a.values.length;
}
