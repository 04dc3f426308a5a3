import type { ManifestEmotionClassifier } from '../sdk/classifier.js';
import type { TensorData } from '../sdk/types.js';
import { stackTensors } from '../eval/predict.js';
import { timePerCall, type RepeatOptions } from './repeat.js';
import type { Spread } from './stats.js';

export interface BatchLatency {
  batch: number;
  /** Milliseconds per classify() call of `batch` faces. */
  perCall: Spread;
  /** perCall / batch. */
  perFace: Spread;
}

const divide = (s: Spread, by: number): Spread => ({
  runs: s.runs,
  median: s.median / by,
  p25: s.p25 / by,
  p75: s.p75 / by,
  min: s.min / by,
  max: s.max / by,
});

/** The first `batch` of the prepared single-face crops (cycled if there are fewer), as one batch tensor. */
function batchOf(crops: TensorData[], batch: number): TensorData {
  return stackTensors(Array.from({ length: batch }, (_, i) => crops[i % crops.length]!));
}

/**
 * Classification latency alone (crops already cut and normalized): one classify() call per iteration, for each batch
 * size. Real face crops go in, so that quantized models see real activations.
 */
export async function classifierLatency(
  classifier: ManifestEmotionClassifier,
  crops: TensorData[],
  batchSizes: number[],
  options: RepeatOptions,
): Promise<BatchLatency[]> {
  const results: BatchLatency[] = [];
  for (const batch of batchSizes) {
    const input = batchOf(crops, batch);
    const perCall = await timePerCall(() => classifier.classify(input), options);
    results.push({ batch, perCall, perFace: divide(perCall, batch) });
  }
  return results;
}
