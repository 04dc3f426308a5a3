import cv, { type Mat, type Vec3 } from '../opencv.js';
import type { Point } from '../types.js';

/** How a frame was fitted into a detector's input: input = frame * scale + pad. */
export interface Letterbox {
  image: Mat;
  scale: number;
  padX: number;
  padY: number;
}

/**
 * Scales the image to fit width x height keeping its aspect ratio and centres it on black borders
 * (MediaPipe's keep_aspect_ratio with BORDER_ZERO), so that detector coordinates map back to frame pixels exactly.
 */
export function letterbox(image: Mat, width: number, height: number): Letterbox {
  const scale = Math.min(width / image.cols, height / image.rows);
  const scaledWidth = Math.min(width, Math.round(image.cols * scale));
  const scaledHeight = Math.min(height, Math.round(image.rows * scale));
  const interpolation = scale < 1 ? cv.INTER_AREA : cv.INTER_LINEAR;
  const resized = scale === 1 ? image : image.resize(scaledHeight, scaledWidth, 0, 0, interpolation);
  const left = Math.floor((width - scaledWidth) / 2);
  const top = Math.floor((height - scaledHeight) / 2);
  const padded =
    left === 0 && top === 0 && scaledWidth === width && scaledHeight === height
      ? resized
      : resized.copyMakeBorder(top, height - scaledHeight - top, left, width - scaledWidth - left, cv.BORDER_CONSTANT, black(resized.channels));
  if (padded !== resized && resized !== image) resized.release();
  // The scale actually applied per axis differs from `scale` by the rounding of the resized size.
  return { image: padded, scale: scaledWidth / image.cols, padX: left, padY: top };
}

/** A point in detector-input pixels back in frame pixels. */
export function toFramePoint(box: Pick<Letterbox, 'scale' | 'padX' | 'padY'>, x: number, y: number): Point {
  return { x: (x - box.padX) / box.scale, y: (y - box.padY) / box.scale };
}

/** The border value copyMakeBorder takes: a number for one channel, a vector for three. */
function black(channels: number): number | Vec3 {
  return channels === 1 ? 0 : new cv.Vec3(0, 0, 0);
}
