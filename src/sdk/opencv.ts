/** The OpenCV binding, loaded with the environment it needs. Import OpenCV from here, never from the package. */
import './opencv-env.js';
import cv from '@u4/opencv4nodejs';

export default cv;
export type * from '@u4/opencv4nodejs';
