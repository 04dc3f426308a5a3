import cv, { type Mat } from '../opencv.js';
import { quantize } from '../../core/quantization.js';
import type { ModelInputSpec } from '../model/manifest-types.js';
import type { Face, Frame, TensorData } from '../types.js';
import { convertColor } from './color.js';
import { frameToMat } from './frame-mat.js';
import { writeImageTensor } from './image-tensor.js';
import { releaseMats } from './release-mats.js';

export interface CropOptions {
  /** Square crop side = expand x the longer side of the face box (the manifest's `crop.expand`; default 1.25). */
  expand?: number;
  /** Rotate each crop about the face centre so that the eyes are level (needs landmarks; faces without stay upright). */
  align?: boolean;
  /** How the parts of a crop outside the frame are filled: `edge` repeats the border pixels, `constant` is black. */
  pad?: 'edge' | 'constant';
}

/**
 * Cuts every face of the frame out as the classifier's input, in one batch: a square around the box (expanded,
 * optionally eye-aligned, padded at the frame's borders), converted to the input's colour, resized to its size
 * (INTER_AREA when shrinking) and normalized per channel as x = (p/255 - mean) / std, in the input's layout and
 * dtype (int8/uint8 with the input's quantization). Returns [N, C, H, W] or [N, H, W, C]; N = 0 for no faces.
 */
export function cropFaces(frame: Frame, faces: Face[], input: ModelInputSpec, options: CropOptions = {}): TensorData {
  const { height, width, channels } = input;
  const itemSize = height * width * channels;
  const values = new Float32Array(faces.length * itemSize);
  const image = faces.length > 0 ? frameToMat(frame) : null;
  faces.forEach((face, index) => {
    const crop = cropFace(image as Mat, face, options);
    const colored = convertColor(crop, input.color);
    const interpolation = crop.cols > width || crop.rows > height ? cv.INTER_AREA : cv.INTER_LINEAR;
    const resized = colored.resize(height, width, 0, 0, interpolation);
    writeImageTensor(resized, { layout: input.layout, mean: input.mean, std: input.std }, values, index * itemSize);
    releaseMats(frame, crop, colored, resized);
  });
  if (image) releaseMats(frame, image);
  const dims = input.layout === 'NCHW' ? [faces.length, channels, height, width] : [faces.length, height, width, channels];
  if (input.dtype === 'float32') return { data: values, dims };
  if (!input.quantization) throw new Error(`model input "${input.name}" is ${input.dtype} but has no quantization parameters`);
  const data = input.dtype === 'int8' ? new Int8Array(values.length) : new Uint8Array(values.length);
  quantize(values, input.quantization, data);
  return { data, dims };
}

/** The square around the face at frame resolution, rotated to level the eyes when asked, in one warpAffine. */
function cropFace(image: Mat, face: Face, options: CropOptions): Mat {
  const { box } = face;
  const side = Math.max(1, Math.round((options.expand ?? 1.25) * Math.max(box.width, box.height)));
  const centerX = box.x + box.width / 2;
  const centerY = box.y + box.height / 2;
  const angle = options.align ? eyeAngleDegrees(face) : 0;
  // Rotation about the face centre (OpenCV: positive = counter-clockwise on screen), then the centre to the crop's.
  const rotation = cv.getRotationMatrix2D(new cv.Point2(centerX, centerY), angle, 1);
  const m = rotation.getDataAsArray() as number[][];
  const row0 = m[0] as number[];
  const row1 = m[1] as number[];
  const transform = new cv.Mat(
    [
      [row0[0] as number, row0[1] as number, (row0[2] as number) - centerX + side / 2],
      [row1[0] as number, row1[1] as number, (row1[2] as number) - centerY + side / 2],
    ],
    cv.CV_64F,
  );
  const border = options.pad === 'constant' ? cv.BORDER_CONSTANT : cv.BORDER_REPLICATE;
  return image.warpAffine(transform, new cv.Size(side, side), cv.INTER_LINEAR, border);
}

/**
 * The angle of the line from the subject's right eye (image left) to the left eye; rotating the crop by it levels
 * the eyes. 0 without landmarks.
 */
function eyeAngleDegrees(face: Face): number {
  const rightEye = face.landmarks?.[0];
  const leftEye = face.landmarks?.[1];
  if (!rightEye || !leftEye) return 0;
  return (Math.atan2(leftEye.y - rightEye.y, leftEye.x - rightEye.x) * 180) / Math.PI;
}
