import { writeFile } from 'node:fs/promises';
import type { BackendConfigInput } from '../sdk/backends/index.js';
import { EMOTION_LABELS } from '../sdk/types.js';
import { readDataset, type DatasetOptions } from './dataset.js';
import { classificationReport, type ClassificationReport } from './metrics.js';
import { describeModel, loadClassifierFromOptions, type ModelDescription, type ModelSpecOptions } from './model-options.js';
import { predictSamples, type Prediction } from './predict.js';

export interface EvaluationRequest {
  model: ModelSpecOptions;
  backend?: BackendConfigInput;
  data: { path: string } & DatasetOptions;
  batchSize: number;
  /** Flip test-time augmentation: each face is also classified mirrored and the probabilities averaged. */
  flip?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface EvaluationResult {
  model: ModelDescription;
  data: { path: string; usage?: string; samples: number };
  /** Wall time of decoding, preprocessing and classification of every sample. */
  seconds: number;
  report: ClassificationReport;
  predictions: Prediction[];
}

/** `fer-edge eval` without the printing: load the model, run the device path over the data, compute the metrics. */
export async function evaluate(request: EvaluationRequest): Promise<EvaluationResult> {
  const samples = await readDataset(request.data.path, request.data);
  const loaded = await loadClassifierFromOptions(request.model, request.backend);
  const { classifier } = loaded;
  try {
    const start = performance.now();
    const predictions = await predictSamples(classifier, samples, { batchSize: request.batchSize, flip: request.flip, onProgress: request.onProgress });
    const seconds = (performance.now() - start) / 1000;
    const report = classificationReport(
      predictions.map((p) => p.probabilities),
      predictions.map((p) => p.label),
      EMOTION_LABELS,
    );
    return {
      model: describeModel(loaded),
      data: { path: request.data.path, ...(request.data.usage ? { usage: request.data.usage } : {}), samples: samples.length },
      seconds,
      report,
      predictions,
    };
  } finally {
    await classifier.close();
  }
}

/** One JSON object per line: id, true label index, probabilities in label order. */
export async function writePredictions(path: string, predictions: Prediction[]): Promise<void> {
  const lines = predictions.map((p) => JSON.stringify({ id: p.id, label: p.label, probabilities: Array.from(p.probabilities) }));
  await writeFile(path, lines.join('\n') + '\n');
}
