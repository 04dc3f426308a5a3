export { convertColor } from './color.js';
export { cropFaces, type CropOptions } from './crop-faces.js';
export { frameToMat, matToFrame } from './frame-mat.js';
export { writeImageTensor, type PixelNormalization } from './image-tensor.js';
export { letterbox, toFramePoint, type Letterbox } from './letterbox.js';
export { releaseMats } from './release-mats.js';
