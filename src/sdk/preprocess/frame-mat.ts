import cv, { type Mat } from '../opencv.js';
import type { Frame } from '../types.js';

/** Wraps a captured Mat (BGR or gray, 8-bit) as a Frame. */
export function matToFrame(mat: Mat, seq: number, timestampMs: number): Frame {
  return { data: mat, width: mat.cols, height: mat.rows, channels: mat.channels, seq, timestampMs };
}

/** The frame's pixels as an OpenCV Mat: the Mat itself, or a Mat over a copy of raw interleaved BGR/gray bytes. */
export function frameToMat(frame: Frame): Mat {
  if (frame.data instanceof cv.Mat) return frame.data;
  if (!(frame.data instanceof Uint8Array)) throw new TypeError('frame.data must be an OpenCV Mat or a Uint8Array');
  const type = frame.channels === 1 ? cv.CV_8UC1 : frame.channels === 3 ? cv.CV_8UC3 : cv.CV_8UC4;
  const bytes = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
  const mat = new cv.Mat(bytes, frame.height, frame.width, type);
  return frame.channels === 4 ? mat.cvtColor(cv.COLOR_BGRA2BGR) : mat;
}
