import type { CalibrationRange } from '../calibrate/index.js';

/** Affine int8 parameters: real = scale x (q - zeroPoint), q in [-128, 127]. */
export interface AffineParams {
  scale: number;
  zeroPoint: number;
}

/** TFLite's activation quantization: asymmetric per tensor, the range widened to hold 0 exactly. */
export function asymmetricParams(range: Pick<CalibrationRange, 'low' | 'high'>): AffineParams {
  const low = Math.min(range.low, 0);
  const high = Math.max(range.high, 0);
  const scale = high > low ? (high - low) / 255 : 1 / 255;
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - low / scale)));
  return { scale, zeroPoint };
}

/** Fixed by the int8 SOFTMAX and LOGISTIC kernels: outputs in [0, 1) with 256 steps. */
export const UNIT_INTERVAL_OUTPUT: AffineParams = { scale: 1 / 256, zeroPoint: -128 };

/** [0, 6] exactly: a ReLU6's output. */
export const RELU6_OUTPUT: AffineParams = { scale: 6 / 255, zeroPoint: -128 };

/** [0, 1] exactly: what a folded hard-sigmoid saturates to. */
export const CLOSED_UNIT_INTERVAL: AffineParams = { scale: 1 / 255, zeroPoint: -128 };

/** int32 bias with scale = input scale x weight scale (per output channel), zero point 0. */
export function quantizeBias(bias: Float32Array | undefined, channels: number, inputScale: number, weightScales: Float32Array): { values: Int32Array; scales: number[] } {
  const values = new Int32Array(channels);
  const scales: number[] = [];
  for (let c = 0; c < channels; c++) {
    const scale = inputScale * (weightScales[c] ?? weightScales[0]!);
    scales.push(scale);
    values[c] = Math.round((bias?.[c] ?? 0) / scale);
  }
  return { values, scales };
}
