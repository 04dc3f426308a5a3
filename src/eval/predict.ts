import type { ManifestEmotionClassifier } from '../sdk/classifier.js';
import { cropFaces } from '../sdk/preprocess/crop-faces.js';
import type { Frame, TensorData } from '../sdk/types.js';
import type { LabelledSample } from './dataset.js';
import { mirroredFrame, sampleFrame, wholeImageFace } from './sample-frame.js';

export interface Prediction {
  id: string;
  label: number;
  probabilities: Float32Array;
}

export interface PredictOptions {
  /** Faces per classifier call. */
  batchSize: number;
  /** Also classify each face mirrored and average the two probability vectors (flip test-time augmentation). */
  flip?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** Stacks single-face tensors ([1, ...]) into one batch ([N, ...]). */
export function stackTensors(items: TensorData[]): TensorData {
  const first = items[0];
  if (!first) throw new RangeError('nothing to stack');
  const data = new (first.data.constructor as Float32ArrayConstructor)(items.reduce((n, t) => n + t.data.length, 0));
  let offset = 0;
  for (const item of items) {
    data.set(item.data as Float32Array, offset);
    offset += item.data.length;
  }
  return { data, dims: [items.reduce((n, t) => n + t.dims[0]!, 0), ...first.dims.slice(1)] };
}

/**
 * The device path over labelled faces: each image becomes a BGR frame whose one face is the whole image (FER2013
 * images are face crops already, so expand 1.0), cut and normalized by the same cropFaces as `fer-edge run`, and
 * classified in batches by the same classifier.
 */
export async function predictSamples(classifier: ManifestEmotionClassifier, samples: LabelledSample[], options: PredictOptions): Promise<Prediction[]> {
  const predictions: Prediction[] = [];
  const input = classifier.manifest.input;
  const classifyFrames = (frames: Frame[]): Promise<Float32Array[]> =>
    classifier.classify(stackTensors(frames.map((frame) => cropFaces(frame, [wholeImageFace(frame)], input, { expand: 1 }))));
  for (let start = 0; start < samples.length; start += options.batchSize) {
    const batch = samples.slice(start, start + options.batchSize);
    const frames = batch.map((sample, i) => sampleFrame(sample, start + i));
    const probabilities = await classifyFrames(frames);
    if (options.flip) {
      const mirrored = await classifyFrames(frames.map(mirroredFrame));
      probabilities.forEach((p, i) => p.forEach((value, k) => (p[k] = (value + mirrored[i]![k]!) / 2)));
    }
    batch.forEach((sample, i) => predictions.push({ id: sample.id, label: sample.label, probabilities: probabilities[i]! }));
    options.onProgress?.(predictions.length, samples.length);
  }
  return predictions;
}
