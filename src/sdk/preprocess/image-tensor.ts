import type { Mat } from '../opencv.js';

/** Where and how pixels go into a tensor: x = (pixel / 255 - mean[c]) / std[c], in NCHW or NHWC order. */
export interface PixelNormalization {
  layout: 'NCHW' | 'NHWC';
  mean: readonly number[];
  std: readonly number[];
}

/**
 * Writes an 8-bit image (1 or 3 channels, channel order as it is in the Mat) into `out` starting at `offset`, one
 * batch item of rows x cols x channels values. Mean and std may hold one value for all channels.
 */
export function writeImageTensor(image: Mat, norm: PixelNormalization, out: Float32Array, offset = 0): void {
  const { rows, cols } = image;
  const channels = image.channels;
  const pixels = image.getData();
  const plane = rows * cols;
  const scale: number[] = [];
  const shift: number[] = [];
  for (let c = 0; c < channels; c++) {
    const mean = norm.mean[c] ?? norm.mean[0] ?? 0;
    const std = norm.std[c] ?? norm.std[0] ?? 1;
    scale.push(1 / (255 * std));
    shift.push(-mean / std);
  }
  // Rows may be padded (a Mat viewing a region of a larger one): derive the row stride from the bytes returned.
  const step = pixels.length / rows;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const src = y * step + x * channels;
      const pixel = y * cols + x;
      for (let c = 0; c < channels; c++) {
        const value = (pixels[src + c] as number) * (scale[c] as number) + (shift[c] as number);
        out[offset + (norm.layout === 'NCHW' ? c * plane + pixel : pixel * channels + c)] = value;
      }
    }
  }
}
