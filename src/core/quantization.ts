/** Affine int8/uint8 quantization, TFLite's convention: real = scale x (q - zeroPoint). */
export interface QuantizationParams {
  scale: number;
  zeroPoint: number;
}

/** Rounds half away from zero, as TFLite's quantize kernels do (Math.round rounds -2.5 to -2). */
function roundHalfAway(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

export function quantize(values: Float32Array, params: QuantizationParams, target: Int8Array | Uint8Array): void {
  const [low, high] = target instanceof Int8Array ? [-128, 127] : [0, 255];
  for (let i = 0; i < values.length; i++) {
    const q = roundHalfAway(values[i]! / params.scale) + params.zeroPoint;
    target[i] = q < low ? low : q > high ? high : q;
  }
}

export function dequantize(values: Int8Array | Uint8Array, params: QuantizationParams): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = params.scale * (values[i]! - params.zeroPoint);
  return out;
}
