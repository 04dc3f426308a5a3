import cv, { type Mat } from '../opencv.js';

/** Converts an 8-bit BGR (3 channels) or gray (1 channel) image to the channel order a model wants. */
export function convertColor(image: Mat, target: 'gray' | 'rgb' | 'bgr'): Mat {
  if (image.channels === 1) {
    if (target === 'gray') return image;
    return image.cvtColor(target === 'rgb' ? cv.COLOR_GRAY2RGB : cv.COLOR_GRAY2BGR);
  }
  if (target === 'gray') return image.cvtColor(cv.COLOR_BGR2GRAY);
  return target === 'rgb' ? image.cvtColor(cv.COLOR_BGR2RGB) : image;
}
