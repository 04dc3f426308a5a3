import { createBackend, defaultModelFor, type BackendConfigInput } from './backends/index.js';
import type { ModelBackend } from './backends/model-backend.js';
import { ModelError } from '../core/errors.js';
import { childLogger } from '../core/log.js';
import { loadModel, type LoadedModel } from './model/load-model.js';
import type { ModelManifest } from './model/manifest-types.js';
import { qdqFlavorAdvice } from './model/qdq-flavor.js';
import { assertBackendMatchesManifest } from './model/verify-io.js';
import { EMOTION_LABELS, type EmotionClassifier, type TensorData } from './types.js';

const log = childLogger('classifier');

export interface ManifestEmotionClassifier extends EmotionClassifier {
  /** The model's manifest: the crop code needs its input spec and crop.expand. */
  readonly manifest: ModelManifest;
  readonly backend: ModelBackend;
}

/** Softmax of `logits / temperature`, numerically stable. */
export function softmax(logits: ArrayLike<number>, temperature = 1): Float32Array {
  const out = new Float32Array(logits.length);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]! / temperature);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! / temperature - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Classifies all the faces of a frame in one batch (`crops` is [N, ...input shape]); one Float32Array of 7 per face. */
export function createEmotionClassifier({ model, backend }: { model: LoadedModel; backend: ModelBackend }): ManifestEmotionClassifier {
  assertBackendMatchesManifest(model, backend);
  const { manifest } = model;
  const advice = qdqFlavorAdvice(manifest, backend.info.runtime, backend.info.accelerator);
  if (advice) log.warn({ model: model.path }, advice);
  const classes = EMOTION_LABELS.length;

  return {
    labels: EMOTION_LABELS,
    manifest,
    backend,
    async classify(crops: TensorData): Promise<Float32Array[]> {
      const count = crops.dims[0] ?? 0;
      if (count === 0) return [];
      const outputs = await backend.run({ [manifest.input.name]: crops });
      const scores = outputs[manifest.output.name];
      if (!scores || scores.data.length !== count * classes) {
        throw new ModelError(`model ${model.path}: output "${manifest.output.name}" has ${scores?.data.length ?? 0} values for ${count} face(s)`);
      }
      const perFace: Float32Array[] = [];
      for (let i = 0; i < count; i++) {
        const row = Float32Array.from(scores.data.subarray(i * classes, (i + 1) * classes));
        perFace.push(manifest.output.kind === 'logits' ? softmax(row, manifest.temperature) : row);
      }
      return perFace;
    },
    close: () => backend.close(),
  };
}

/**
 * The whole load path: the model (default: the shipped model of the back end's format; with the edgetpu delegate, the
 * Edge TPU's), its manifest, the back end, and the checks between them. Every failure is a one-line ModelError or
 * ConfigError.
 */
export async function loadEmotionClassifier(options: { modelPath?: string; backend?: BackendConfigInput } = {}): Promise<ManifestEmotionClassifier> {
  const backend = options.backend;
  const modelPath = options.modelPath ?? defaultModelFor(backend);
  const model = await loadModel(modelPath);
  const modelBackend = await createBackend(model.path, backend ?? { type: 'auto' });
  try {
    return createEmotionClassifier({ model, backend: modelBackend });
  } catch (error) {
    await modelBackend.close();
    throw error;
  }
}
