import cv from '../opencv.js';
import { frameToMat } from '../preprocess/frame-mat.js';
import type { Frame } from '../types.js';

/** The frame as a JPEG file's bytes (OpenCV's encoder, on the calling thread: 640x360 takes a few milliseconds). */
export function encodeFrameJpeg(frame: Frame, quality: number): Buffer {
  const mat = frameToMat(frame);
  try {
    return cv.imencode('.jpg', mat, [cv.IMWRITE_JPEG_QUALITY, quality]);
  } finally {
    // A Mat made from raw bytes is ours to free; the frame's own Mat is released by the pipeline.
    if (mat !== frame.data) mat.release();
  }
}
