import { ConfigError } from '../../core/errors.js';
import type { QdqManifestInfo } from '../../sdk/model/manifest-types.js';

/**
 * The two int8 QDQ ONNX graphs `fer-edge quantize` writes. `tensorrt`: Q/DQ on the inputs of Conv/Gemm/MatMul and
 * residual Add, symmetric int8 (TensorRT's explicit quantization; ../shared/docs/DESIGN.md). `cpu`: every operator
 * between DQ and Q, uint8 activations, int32 biases, the form ONNX Runtime's CPU EP fuses into integer kernels.
 */
export const QDQ_FLAVORS = ['tensorrt', 'cpu'] as const;
export type QdqFlavor = (typeof QDQ_FLAVORS)[number];

/** Model metadata key naming the flavour a QDQ model was written in (absent: tensorrt, the original writer). */
export const QDQ_FLAVOR_METADATA_KEY = 'fer-edge.qdq_flavor';

/** What the manifest of each flavour records (`qdq`). */
export const QDQ_FLAVOR_INFO: Record<QdqFlavor, QdqManifestInfo> = {
  tensorrt: { flavor: 'tensorrt', activations: 'int8 symmetric per tensor', weights: 'int8 symmetric per output channel', bias: 'float' },
  cpu: { flavor: 'cpu', activations: 'uint8 asymmetric per tensor', weights: 'int8 symmetric per output channel, [-64, 64] except depthwise', bias: 'int32' },
};

export function parseQdqFlavors(list: string): QdqFlavor[] {
  const flavors = list.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = flavors.find((f) => !QDQ_FLAVORS.includes(f as QdqFlavor));
  if (unknown !== undefined || flavors.length === 0) {
    throw new ConfigError(`--qdq-flavor takes a comma-separated list of ${QDQ_FLAVORS.join(', ')}${unknown ? `, got "${unknown}"` : ''}`);
  }
  return [...new Set(flavors as QdqFlavor[])];
}
