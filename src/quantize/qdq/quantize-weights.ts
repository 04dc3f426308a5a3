import type { Tensor } from '../../core/onnx/tensor.js';

/**
 * Symmetric int8 weights: one scale per slice along axis 0 (or one for all), values in [-limit, limit] (default
 * [-127, 127]), zero point 0.
 */
export interface QuantizedWeights {
  values: Int8Array;
  scales: Float32Array;
}

export function quantizeWeightsSymmetric(weights: Float32Array, channels: number, limit = 127): QuantizedWeights {
  const perChannel = weights.length / channels;
  const values = new Int8Array(weights.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let absMax = 0;
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++) absMax = Math.max(absMax, Math.abs(weights[i]!));
    const scale = absMax > 0 ? absMax / limit : 1;
    scales[c] = scale;
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++) values[i] = Math.max(-limit, Math.min(limit, Math.round(weights[i]! / scale)));
  }
  return { values, scales };
}

/** [rows, cols] -> [cols, rows]. */
export function transpose2d(tensor: Tensor): Float32Array {
  const [rows, cols] = tensor.dims as [number, number];
  const source = tensor.data as Float32Array;
  const out = new Float32Array(source.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = source[r * cols + c]!;
  return out;
}
