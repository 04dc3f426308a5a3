import type { ModelManifest, QdqManifestInfo } from './manifest-types.js';

export type QdqFlavorName = QdqManifestInfo['flavor'];

/**
 * The QDQ graph of an int8 ONNX model (`fer-edge quantize --qdq-flavor`): `tensorrt` for TensorRT, `cpu` for ONNX
 * Runtime's CPU EP. Manifests written before the flavour was recorded are TensorRT's. Undefined for other models.
 */
export function qdqFlavorOf(manifest: Pick<ModelManifest, 'format' | 'precision' | 'qdq'>): QdqFlavorName | undefined {
  return manifest.format === 'onnx' && manifest.precision === 'int8' ? (manifest.qdq?.flavor ?? 'tensorrt') : undefined;
}

/**
 * Why a QDQ model runs slowly on the runtime that loaded it, or undefined. ONNX Runtime's CPU EP fuses only QDQ node
 * units whose output is quantized too, so it runs the TensorRT graph's Q/DQ in float and dequantizes every weight on
 * every call: slower than the fp32 model.
 */
export function qdqFlavorAdvice(manifest: Pick<ModelManifest, 'format' | 'precision' | 'qdq'>, runtime: string, accelerator: string): string | undefined {
  if (qdqFlavorOf(manifest) !== 'tensorrt' || runtime !== 'onnxruntime' || accelerator !== 'cpu') return undefined;
  return "a TensorRT-flavour int8 QDQ model on ONNX Runtime's CPU EP runs its Q/DQ in float, several times slower than fp32: on a CPU use the fp32 model or `fer-edge quantize --qdq-flavor cpu`";
}
