/** The model manifest described in docs/model-manifest.md, as the SDK sees it after validation. */
export interface ModelInputSpec {
  name: string;
  layout: 'NCHW' | 'NHWC';
  height: number;
  width: number;
  channels: 1 | 3;
  color: 'gray' | 'rgb' | 'bgr';
  /** Per channel: x = (pixel / 255 - mean) / std. */
  mean: number[];
  std: number[];
  dtype: 'float32' | 'int8' | 'uint8';
  quantization?: { scale: number; zeroPoint: number };
}

export interface ModelOutputSpec {
  name: string;
  kind: 'logits' | 'probabilities';
  /** For int8/uint8 outputs: real = scale x (q - zeroPoint). Optional: a TFLite back end reads it from the model. */
  quantization?: { scale: number; zeroPoint: number };
}

/** int8 QDQ ONNX only: which graph `fer-edge quantize --qdq-flavor` wrote (absent on older models: tensorrt). */
export interface QdqManifestInfo {
  flavor: 'tensorrt' | 'cpu';
  activations: string;
  weights: string;
  bias: string;
}

export interface ModelManifest {
  schema: 'fer-edge/model@1';
  name: string;
  format: 'onnx' | 'tflite';
  precision: 'fp32' | 'fp16' | 'int8';
  sha256: string;
  labels: string[];
  input: ModelInputSpec;
  output: ModelOutputSpec;
  temperature: number;
  crop?: { expand: number };
  qdq?: QdqManifestInfo;
  source?: { model: string; sha256: string };
  metrics?: Record<string, unknown>;
  training?: Record<string, unknown>;
}
