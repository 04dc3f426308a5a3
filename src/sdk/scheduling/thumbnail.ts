import cv from '../opencv.js';
import { frameToMat } from '../preprocess/frame-mat.js';
import { releaseMats } from '../preprocess/release-mats.js';
import type { Frame } from '../types.js';

/** Width of a thumbnail in pixels; its height keeps the frame's aspect (32 x 18 for 16:9, 32 x 24 for 4:3). */
export const THUMBNAIL_WIDTH = 32;

/** Below this standard deviation (grey levels) a thumbnail is flat: a black, white or grey frame with no picture. */
const FLAT_STD = 1;

/**
 * A frame in miniature for telling how much the picture changed: grey, THUMBNAIL_WIDTH pixels wide, each pixel the
 * mean of 16 samples of the frame (so noise averages out), standardized to mean 0 and standard deviation 1 so that a
 * change of exposure or brightness alone does not count as a change of picture. Its cost shows as `change` in the
 * pipeline's stats.
 */
export interface Thumbnail {
  /** Standardized grey levels, row by row; all zeros when `flat`. */
  values: Float32Array;
  width: number;
  height: number;
  /** No picture to speak of (standard deviation under one grey level). */
  flat: boolean;
}

export function thumbnail(frame: Frame): Thumbnail {
  const width = THUMBNAIL_WIDTH;
  const height = Math.max(1, Math.round((THUMBNAIL_WIDTH * frame.height) / frame.width));
  const mat = frameToMat(frame);
  // Picking every few pixels first (nearest) down to 4 x 4 samples per thumbnail pixel is several times cheaper than
  // an area resize of the whole frame, and measured the same changes on the clip.
  const sampled = mat.cols > 4 * width && mat.rows > 4 * height ? mat.resize(4 * height, 4 * width, 0, 0, cv.INTER_NEAREST) : mat;
  const small = sampled.resize(height, width, 0, 0, cv.INTER_AREA);
  const grey = small.channels === 1 ? small : small.cvtColor(cv.COLOR_BGR2GRAY);
  const pixels = grey.getData();
  releaseMats(frame, mat, sampled, small, grey);
  const values = new Float32Array(width * height);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += pixels[i]!;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (pixels[i]! - mean) ** 2;
  const std = Math.sqrt(squares / values.length);
  const flat = std < FLAT_STD;
  if (!flat) for (let i = 0; i < values.length; i++) values[i] = (pixels[i]! - mean) / std;
  return { values, width, height, flat };
}
