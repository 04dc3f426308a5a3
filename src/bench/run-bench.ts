import type { BackendConfigInput } from '../sdk/backends/index.js';
import type { DetectorConfigInput } from '../sdk/detectors/index.js';
import { createDetector } from '../sdk/detectors/index.js';
import { cropFaces } from '../sdk/preprocess/crop-faces.js';
import { EMOTION_LABELS, type TensorData } from '../sdk/types.js';
import { readDataset, type LabelledSample } from '../eval/dataset.js';
import { classificationReport } from '../eval/metrics.js';
import { describeModel, loadClassifierFromOptions, type ModelDescription, type ModelSpecOptions } from '../eval/model-options.js';
import { predictSamples } from '../eval/predict.js';
import { sampleFrame, wholeImageFace } from '../eval/sample-frame.js';
import { classifierLatency, type BatchLatency } from './classifier-latency.js';
import { detectorLatency, type DetectorLatency } from './detector-latency.js';
import { runEndToEnd, type EndToEndRun } from './end-to-end.js';
import { ffmpegDecode } from './ffmpeg-decode.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { materializeModel } from './materialize-model.js';
import { peakRssMiB, repeatFigure, type RepeatOptions } from './repeat.js';
import { spread, type Spread } from './stats.js';
import { opencvDecodeFps, readVideoFrames } from './video-frames.js';

export interface BenchModel {
  /** How the model is named in the report, e.g. "ours fp32" or "peer mini-Xception". */
  label: string;
  spec: ModelSpecOptions;
  backend?: BackendConfigInput;
}

export interface BenchRequest {
  /** The first is the reference the others' ratios are computed against. */
  models: BenchModel[];
  /** Labelled faces: real crops for the latency runs, and the accuracy figures. */
  faces?: { path: string; perClass?: number };
  video?: string;
  detectors: DetectorConfigInput[];
  batchSizes: number[];
  repeat: RepeatOptions;
  endToEnd?: { detectEvery: number; maxFrames?: number; detector?: DetectorConfigInput };
  onProgress?: (message: string) => void;
}

export interface ModelBench {
  label: string;
  model: ModelDescription;
  latency: BatchLatency[];
  accuracy?: { samples: number; accuracy: number; balancedAccuracy: number; macroF1: number };
  endToEnd?: { fps: Spread; runs: EndToEndRun[]; medianRun: EndToEndRun };
  /** Process peak RSS once this model's section finished (cumulative over the run). */
  peakRssMiB: number;
}

export interface Ratio {
  model: string;
  reference: string;
  /** reference per-face ms / model per-face ms at batch 1: >1 means the model is faster. */
  perFaceSpeedup?: number;
  endToEndFpsRatio?: number;
  accuracyDifference?: number;
}

export interface BenchReport {
  machine: MachineInfo;
  repeat: RepeatOptions;
  decode?: { video: string; frames: number; ffmpegFps: Spread; opencvFps: Spread };
  detectors: DetectorLatency[];
  models: ModelBench[];
  ratios: Ratio[];
  peakRssMiB: number;
}

const LATENCY_FACES = 64;

async function benchModel(entry: BenchModel, samples: LabelledSample[], request: BenchRequest): Promise<ModelBench> {
  const loaded = await loadClassifierFromOptions(entry.spec, entry.backend);
  const { classifier } = loaded;
  const result: ModelBench = { label: entry.label, model: describeModel(loaded), latency: [], peakRssMiB: 0 };
  try {
    if (samples.length > 0) {
      request.onProgress?.(`${entry.label}: accuracy on ${samples.length} faces`);
      const predictions = await predictSamples(classifier, samples, { batchSize: 32 });
      const report = classificationReport(
        predictions.map((p) => p.probabilities),
        predictions.map((p) => p.label),
        EMOTION_LABELS,
      );
      result.accuracy = { samples: report.samples, accuracy: report.accuracy, balancedAccuracy: report.balancedAccuracy, macroF1: report.macroF1 };
      const crops: TensorData[] = samples.slice(0, LATENCY_FACES).map((sample, i) => {
        const frame = sampleFrame(sample, i);
        return cropFaces(frame, [wholeImageFace(frame)], classifier.manifest.input, { expand: 1 });
      });
      request.onProgress?.(`${entry.label}: classification latency, batches ${request.batchSizes.join(', ')}`);
      result.latency = await classifierLatency(classifier, crops, request.batchSizes, request.repeat);
    }
  } finally {
    await classifier.close();
  }
  if (request.video && request.endToEnd) {
    const materialized = await materializeModel(loaded.model);
    try {
      const runs: EndToEndRun[] = [];
      request.onProgress?.(`${entry.label}: end to end on ${request.video}, ${request.repeat.runs} runs`);
      const fps = await repeatFigure(request.repeat.runs, async () => {
        const run = await runEndToEnd({
          video: request.video!,
          modelPath: materialized.path,
          ...(entry.backend ? { backend: entry.backend } : {}),
          ...(request.endToEnd!.detector ? { detector: request.endToEnd!.detector } : {}),
          detectEvery: request.endToEnd!.detectEvery,
          ...(request.endToEnd!.maxFrames !== undefined ? { maxFrames: request.endToEnd!.maxFrames } : {}),
        });
        runs.push(run);
        return run.fps;
      });
      // The stage percentiles of the median run, so that they describe one real pass.
      const median = [...runs].sort((a, b) => a.fps - b.fps)[Math.floor(runs.length / 2)]!;
      result.endToEnd = { fps, runs, medianRun: median };
    } finally {
      await materialized.dispose();
    }
  }
  result.peakRssMiB = peakRssMiB();
  return result;
}

function ratios(models: ModelBench[]): Ratio[] {
  const [reference, ...others] = models;
  if (!reference) return [];
  const batch1 = (m: ModelBench): number | undefined => m.latency.find((l) => l.batch === 1)?.perFace.median;
  return others.map((m) => {
    const ours = batch1(reference);
    const theirs = batch1(m);
    return {
      model: m.label,
      reference: reference.label,
      ...(ours && theirs ? { perFaceSpeedup: theirs / ours } : {}),
      ...(reference.endToEnd && m.endToEnd ? { endToEndFpsRatio: reference.endToEnd.fps.median / m.endToEnd.fps.median } : {}),
      ...(reference.accuracy && m.accuracy ? { accuracyDifference: reference.accuracy.accuracy - m.accuracy.accuracy } : {}),
    };
  });
}

async function benchDecode(video: string, runs: number): Promise<NonNullable<BenchReport['decode']>> {
  const ffmpeg = [];
  const opencv = [];
  for (let i = 0; i < runs; i++) {
    ffmpeg.push(await ffmpegDecode(video));
    opencv.push(opencvDecodeFps(video));
  }
  return {
    video,
    frames: opencv[0]!.frames,
    ffmpegFps: spread(ffmpeg.map((r) => r.fps)),
    opencvFps: spread(opencv.map((r) => r.fps)),
  };
}

/** Everything `fer-edge bench` measures, as data; printing is separate (benchText). */
export async function runBench(request: BenchRequest): Promise<BenchReport> {
  const machine = machineInfo();
  const samples = request.faces ? await readDataset(request.faces.path, request.faces.perClass !== undefined ? { perClass: request.faces.perClass } : {}) : [];
  let decode: BenchReport['decode'];
  const detectors: DetectorLatency[] = [];
  if (request.video) {
    request.onProgress?.(`decode-only references (ffmpeg, OpenCV), ${request.repeat.runs} runs`);
    decode = await benchDecode(request.video, request.repeat.runs);
    // 48 frames spread over the clip (every 5th of a 240-frame clip), not only its first two seconds.
    const frames = readVideoFrames(request.video, 48, Math.max(1, Math.floor(decode.frames / 48)));
    for (const config of request.detectors) {
      request.onProgress?.(`detector ${config.type}: latency`);
      const detector = await createDetector(config);
      try {
        detectors.push(await detectorLatency(detector, frames, request.repeat));
      } finally {
        await detector.close?.();
      }
    }
  }
  const models: ModelBench[] = [];
  for (const entry of request.models) models.push(await benchModel(entry, samples, request));
  return { machine, repeat: request.repeat, ...(decode ? { decode } : {}), detectors, models, ratios: ratios(models), peakRssMiB: peakRssMiB() };
}
