import cv from '../sdk/opencv.js';
import { SourceError } from '../core/errors.js';
import { matToFrame } from '../sdk/preprocess/frame-mat.js';
import type { Frame } from '../sdk/types.js';

function open(path: string): cv.VideoCapture {
  let capture: cv.VideoCapture;
  try {
    capture = new cv.VideoCapture(path);
  } catch (error) {
    throw new SourceError(`cannot open video ${path}: ${(error as Error).message}`);
  }
  return capture;
}

/** Decodes every `step`th frame of a video, up to `max` of them, into memory (BGR Mats wrapped as Frames). */
export function readVideoFrames(path: string, max = Number.POSITIVE_INFINITY, step = 1): Frame[] {
  const capture = open(path);
  const frames: Frame[] = [];
  try {
    for (let index = 0, mat = capture.read(); !mat.empty && frames.length < max; index++, mat = capture.read()) {
      if (index % step === 0) frames.push(matToFrame(mat, frames.length, frames.length));
      else mat.release();
    }
  } finally {
    capture.release();
  }
  if (frames.length === 0) throw new SourceError(`video ${path} has no readable frames`);
  return frames;
}

/** Decode-only speed through OpenCV's VideoCapture (what the `opencv` frame source reads with): frames per second. */
export function opencvDecodeFps(path: string): { frames: number; seconds: number; fps: number } {
  const capture = open(path);
  const start = performance.now();
  let frames = 0;
  try {
    // Released at once: Mats are not counted by V8's GC (see src/sdk/opencv-env.ts).
    for (let mat = capture.read(); !mat.empty; mat = capture.read()) {
      frames++;
      mat.release();
    }
  } finally {
    capture.release();
  }
  const seconds = (performance.now() - start) / 1000;
  if (frames === 0) throw new SourceError(`video ${path} has no readable frames`);
  return { frames, seconds, fps: frames / seconds };
}
