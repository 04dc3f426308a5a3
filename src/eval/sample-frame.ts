import cv from '../sdk/opencv.js';
import { ConfigError } from '../core/errors.js';
import { frameToMat, matToFrame } from '../sdk/preprocess/frame-mat.js';
import type { Face, Frame } from '../sdk/types.js';
import type { LabelledSample } from './dataset.js';

/**
 * A labelled face as the device would see it: a BGR frame, like a camera's. Gray FER2013 images become three equal
 * channels, so that the model's own colour conversion (gray, RGB or BGR) runs exactly as in `fer-edge run`.
 */
export function sampleFrame(sample: LabelledSample, seq: number): Frame {
  const image = sample.image;
  let mat;
  if (image.kind === 'file') {
    mat = cv.imread(image.path, cv.IMREAD_COLOR);
    if (mat.empty) throw new ConfigError(`cannot decode image ${image.path}`);
  } else {
    mat = new cv.Mat(Buffer.from(image.pixels), image.height, image.width, cv.CV_8UC1).cvtColor(cv.COLOR_GRAY2BGR);
  }
  return matToFrame(mat, seq, 0);
}

/** The face of an already cropped dataset image: the whole image. */
export function wholeImageFace(frame: Frame): Face {
  return { box: { x: 0, y: 0, width: frame.width, height: frame.height }, score: 1 };
}

/** The frame flipped left to right (flip test-time augmentation), without decoding the image again. */
export function mirroredFrame(frame: Frame): Frame {
  return matToFrame(frameToMat(frame).flip(1), frame.seq, frame.timestampMs);
}
