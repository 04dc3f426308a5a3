import type { Backend } from '../types.js';

export type TensorDataType = 'float32' | 'int8' | 'uint8' | 'int32' | 'int64' | 'other';

/** What a runtime reports about one model input or output. `null` marks a dynamic dimension. */
export interface TensorSpec {
  name: string;
  dims: (number | null)[];
  dtype: TensorDataType;
  /** For quantized tensors, when the runtime or the model file tells. */
  quantization?: { scale: number; zeroPoint: number };
}

/**
 * A Backend that also describes its model's tensors, so the manifest can be checked against what the runtime
 * actually loaded. Inputs are accepted as float32 whatever the model's type (int8 models are quantized inside the
 * back end) and outputs come back as float32; a batch larger than a model's fixed batch is split transparently.
 */
export interface ModelBackend extends Backend {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
}

/**
 * What a back end loads: a model file, or an ONNX model made in memory (BlazeFace converted from its .tflite at load
 * time) with `path` naming where it came from, for messages.
 */
export type ModelSource = string | { onnx: Uint8Array; path: string };

export function sourcePath(source: ModelSource): string {
  return typeof source === 'string' ? source : source.path;
}
