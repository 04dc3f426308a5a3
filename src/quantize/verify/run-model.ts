import { performance } from 'node:perf_hooks';
import { createBackend } from '../../sdk/backends/index.js';
import type { ModelManifest } from '../../sdk/model/manifest-types.js';
import type { ImageSet } from '../dataset.js';

export interface ModelPredictions {
  /** Per image: probabilities over the labels (softmax(logits / T) for logit models, as the SDK does). */
  probabilities: Float32Array[];
  /** Wall time of each single-image inference, in milliseconds. */
  latencyMs: number[];
}

function softmax(values: Float32Array, temperature: number): Float32Array {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp((v - max) / temperature));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** NCHW item -> NHWC item (a no-op copy for one channel). */
function toNhwc(item: Float32Array, [channels, height, width]: [number, number, number]): Float32Array {
  if (channels === 1) return item;
  const out = new Float32Array(item.length);
  for (let c = 0; c < channels; c++) for (let p = 0; p < height * width; p++) out[p * channels + c] = item[c * height * width + p]!;
  return out;
}

/**
 * Runs a model file image by image (batch 1, one thread: the figure a small robot sees) through the SDK's own back end
 * for its format, so that int8 input quantization and output dequantization are the ones devices use.
 */
export async function predict(modelPath: string, manifest: ModelManifest, images: ImageSet): Promise<ModelPredictions> {
  const backend = await createBackend(
    modelPath,
    manifest.format === 'tflite' ? { type: 'tflite', threads: 1 } : { type: 'onnxruntime', executionProviders: ['cpu'], intraOpThreads: 1 },
  );
  try {
    const itemLength = images.itemDims.reduce((a, b) => a * b, 1);
    const [channels, height, width] = images.itemDims;
    const dims = manifest.input.layout === 'NHWC' ? [1, height, width, channels] : [1, channels, height, width];
    const inputName = backend.info.inputNames[0]!;
    const outputName = backend.info.outputNames.includes(manifest.output.name) ? manifest.output.name : backend.info.outputNames[0]!;
    const probabilities: Float32Array[] = [];
    const latencyMs: number[] = [];
    for (let i = 0; i < images.labels.length; i++) {
      let item = images.data.subarray(i * itemLength, (i + 1) * itemLength);
      if (manifest.input.layout === 'NHWC') item = toNhwc(item, images.itemDims);
      const start = performance.now();
      const outputs = await backend.run({ [inputName]: { data: item, dims } });
      latencyMs.push(performance.now() - start);
      const output = Float32Array.from(outputs[outputName]!.data);
      probabilities.push(manifest.output.kind === 'logits' ? softmax(output, manifest.temperature) : output);
    }
    return { probabilities, latencyMs };
  } finally {
    await backend.close();
  }
}
