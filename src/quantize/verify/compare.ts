import { spread } from '../../bench/stats.js';
import { argmax, classificationReport } from '../../eval/metrics.js';
import { EMOTION_LABELS } from '../../sdk/types.js';
import type { ModelPredictions } from './run-model.js';

export interface AccuracyFigures {
  accuracy: number;
  macro_f1: number;
}

/** One model's figures on val, and how far they are from the fp32 reference. */
export interface Comparison extends AccuracyFigures {
  /** Share of images where the top-1 label equals fp32's. */
  top1_agreement: number;
  accuracy_delta: number;
  macro_f1_delta: number;
  /** Largest |p - p_fp32| over every image and label. */
  max_probability_error: number;
  mean_probability_error: number;
  latency_ms: { median: number; p25: number; p75: number };
}

export function accuracyFigures(predictions: ModelPredictions, labels: readonly number[]): AccuracyFigures {
  const report = classificationReport(predictions.probabilities, [...labels], EMOTION_LABELS);
  return { accuracy: report.accuracy, macro_f1: report.macroF1 };
}

export function latencySummary(predictions: ModelPredictions): Comparison['latency_ms'] {
  const { median, p25, p75 } = spread(predictions.latencyMs);
  return { median, p25, p75 };
}

export function compareWithReference(candidate: ModelPredictions, reference: ModelPredictions, labels: readonly number[]): Comparison {
  const figures = accuracyFigures(candidate, labels);
  const referenceFigures = accuracyFigures(reference, labels);
  let agree = 0;
  let maxError = 0;
  let errorSum = 0;
  let errorCount = 0;
  candidate.probabilities.forEach((probs, i) => {
    const ref = reference.probabilities[i]!;
    if (argmax(probs) === argmax(ref)) agree++;
    for (let k = 0; k < probs.length; k++) {
      const error = Math.abs(probs[k]! - ref[k]!);
      maxError = Math.max(maxError, error);
      errorSum += error;
      errorCount++;
    }
  });
  return {
    ...figures,
    top1_agreement: agree / candidate.probabilities.length,
    accuracy_delta: figures.accuracy - referenceFigures.accuracy,
    macro_f1_delta: figures.macro_f1 - referenceFigures.macro_f1,
    max_probability_error: maxError,
    mean_probability_error: errorSum / errorCount,
    latency_ms: latencySummary(candidate),
  };
}
