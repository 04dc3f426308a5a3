import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError, ModelError } from '../core/errors.js';
import { childLogger } from '../core/log.js';
import { manifestPathFor, readManifest } from '../sdk/model/manifest.js';
import type { ModelManifest } from '../sdk/model/manifest-types.js';
import type { InputBatch } from './calibrate/collect.js';
import { calibratedTensors, calibrateRanges, calibrationMethod, type CalibrationMethodName } from './calibrate/index.js';
import { preprocessSamples, readSamples, type ImageSet } from './dataset.js';
import { DEFAULTS } from './defaults.js';
import { convertToFp16 } from './fp16.js';
import type { Model } from '../core/onnx/graph.js';
import { cloneModel, encodeModel, readModel } from '../core/onnx/proto.js';
import { inferShapes } from '../core/onnx/shape-inference.js';
import { simplifyGraph } from './onnx/simplify.js';
import { DataType } from '../core/onnx/tensor.js';
import { derivedManifest, modelStem, outputPath, reportPath, type OutputFormat } from './outputs.js';
import { parseQdqFlavors, type QdqFlavor } from './qdq/flavor.js';
import { ortCpuOperators } from './qdq/ort-operators.js';
import { checkTensorRtRules } from './qdq/trt-rules.js';
import { writeQdq } from './qdq/write-qdq.js';
import { writeQdqCpu } from './qdq/write-qdq-cpu.js';
import type { QuantizeReport, ReportedModel } from './report.js';
import { StagedOutputs } from './staged-output.js';
import { convertToTflite } from './tflite/convert.js';
import { nonEdgeTpuOperators } from './tflite/edgetpu-ops.js';
import { accuracyFigures, compareWithReference, latencySummary } from './verify/compare.js';
import { layerSensitivity } from './verify/layer-error.js';
import { predict } from './verify/run-model.js';

const log = childLogger('quantize');

export interface QuantizeOptions {
  /** The fp32 ONNX model; its manifest must sit beside it (docs/model-manifest.md). */
  modelPath: string;
  /** Calibration images: a Kaggle-layout folder, a flat image folder, or fer2013.csv (Training rows). */
  calibPath: string;
  calibCount?: number;
  method?: CalibrationMethodName;
  percentile?: number;
  formats?: OutputFormat[];
  /** onnx-int8: the QDQ graphs to write (default tensorrt; cpu = `<stem>.int8-qdq-cpu.onnx`, for ONNX Runtime on a CPU). */
  qdqFlavors?: QdqFlavor[];
  /** Validation images (labelled folder or fer2013.csv, PublicTest rows); default: a `val` folder beside `calibPath`. */
  valPath?: string;
  /** Keep at most this many val images (balanced over classes); default all. */
  valCount?: number;
  /** Default: the fp32 model's folder. */
  outDir?: string;
  /** ONNX node names kept in floating point in the int8 ONNX model. */
  exclude?: string[];
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface QuantizeResult {
  files: string[];
  reportPath: string;
  report: QuantizeReport;
}

export { DEFAULTS };
const CALIBRATION_BATCH = 16;
/** Val images the per-layer sensitivity analysis runs on. */
const SENSITIVITY_IMAGES = 64;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function defaultValPath(calibPath: string): string | undefined {
  const sibling = join(dirname(resolve(calibPath)), 'val');
  return existsSync(sibling) && statSync(calibPath).isDirectory() ? sibling : undefined;
}

/** Batches for the model's input: full batches of 16 when the batch dimension is dynamic, single images otherwise. */
function inputBatches(images: ImageSet, model: Model, preferred = CALIBRATION_BATCH): InputBatch[] {
  const batchDim = model.graph.inputs[0]!.shape?.[0];
  const size = typeof batchDim === 'number' && batchDim > 0 ? batchDim : preferred;
  const itemLength = images.itemDims.reduce((a, b) => a * b, 1);
  const count = images.labels.length;
  const batches: InputBatch[] = [];
  for (let start = 0; start + size <= count || (start < count && typeof batchDim !== 'number'); start += size) {
    const end = Math.min(count, start + size);
    batches.push({ data: images.data.subarray(start * itemLength, end * itemLength), dims: [end - start, ...images.itemDims] });
  }
  return batches;
}

function checkManifestMatchesModel(manifest: ModelManifest, model: Model, modelPath: string): void {
  if (manifest.format !== 'onnx' || manifest.precision !== 'fp32') {
    throw new ModelError(`${modelPath}: fer-edge quantize takes an fp32 ONNX model, its manifest says ${manifest.precision} ${manifest.format}`);
  }
  const input = model.graph.inputs[0];
  if (model.graph.inputs.length !== 1 || !input) throw new ModelError(`${modelPath}: expected one graph input, found ${model.graph.inputs.length}`);
  if (input.name !== manifest.input.name) throw new ModelError(`${modelPath}: graph input is "${input.name}" but the manifest says "${manifest.input.name}"`);
  if (input.elemType !== DataType.FLOAT) throw new ModelError(`${modelPath}: graph input "${input.name}" is not float32`);
  const [, channels, height, width] = input.shape ?? [];
  if (channels !== manifest.input.channels || height !== manifest.input.height || width !== manifest.input.width) {
    throw new ModelError(`${modelPath}: graph input is [${input.shape}] but the manifest says ${manifest.input.channels}x${manifest.input.height}x${manifest.input.width}`);
  }
}

/**
 * fp32 ONNX + calibration images -> int8 QDQ ONNX (TensorRT rules), full-integer int8 TFLite and fp16 ONNX, each
 * with its manifest, verified against fp32 on val in the same run, plus `<stem>.quantize-report.json`. Nothing is
 * written unless every step succeeds.
 */
export async function quantizeModel(options: QuantizeOptions): Promise<QuantizeResult> {
  const modelPath = resolve(options.modelPath);
  const method = options.method ?? DEFAULTS.method;
  calibrationMethod(method);
  const percentile = options.percentile ?? DEFAULTS.percentile;
  if (!(percentile > 50 && percentile <= 100)) throw new ConfigError(`--percentile must be in (50, 100], got ${percentile}`);
  const formats = options.formats ?? DEFAULTS.formats;
  const qdqFlavors = options.qdqFlavors ?? DEFAULTS.qdqFlavors;
  const outputs = formats.flatMap((format): { format: OutputFormat; flavor: QdqFlavor | undefined }[] => (format === 'onnx-int8' ? qdqFlavors.map((flavor) => ({ format, flavor })) : [{ format, flavor: undefined }]));
  const calibCount = options.calibCount ?? DEFAULTS.calibCount;
  if (!Number.isInteger(calibCount) || calibCount < 1) throw new ConfigError(`--calib-count must be a positive integer, got ${calibCount}`);
  const outDir = resolve(options.outDir ?? dirname(modelPath));
  const progress = options.onProgress ?? (() => undefined);

  const model = readModel(modelPath);
  const manifest = await readManifest(manifestPathFor(modelPath), modelPath);
  checkManifestMatchesModel(manifest, model, modelPath);
  const sourceBytes = readFileSync(modelPath);
  if (sha256(sourceBytes) !== manifest.sha256.toLowerCase()) throw new ModelError(`${modelPath} does not match its manifest's sha256`);
  const nodesBefore = model.graph.nodes.length;
  const simplification = simplifyGraph(model.graph);
  inferShapes(model.graph); // refuses unsupported operators before any work
  const exclude = new Set(options.exclude ?? []);
  for (const name of exclude) if (!model.graph.nodes.some((n) => n.name === name)) throw new ConfigError(`--exclude: no node named "${name}" in ${modelPath}`);

  const calibSamples = await readSamples(options.calibPath, '--calib', { count: calibCount, usage: 'Training' });
  const valPath = options.valPath ?? defaultValPath(options.calibPath);
  if (!valPath) throw new ConfigError(`no --val given and no "val" folder beside ${options.calibPath}`);
  const valSamples = await readSamples(valPath, '--val', { ...(options.valCount ? { count: options.valCount } : {}), usage: 'PublicTest' });
  if (valSamples.some((s) => s.label < 0)) throw new ConfigError(`--val ${valPath} must be labelled (class folders or fer2013.csv)`);

  const calibImages = preprocessSamples(calibSamples, manifest.input);
  const ranges = await calibrateRanges(model, calibratedTensors(model), inputBatches(calibImages, model), method, { percentile }, (done, total) =>
    progress('calibrate', done, total),
  );
  log.debug({ tensors: ranges.size, method }, 'calibrated');

  const valImages = preprocessSamples(valSamples, manifest.input);
  mkdirSync(outDir, { recursive: true });
  const staged = new StagedOutputs();
  try {
    const stem = modelStem(modelPath);
    const reference = await predict(modelPath, manifest, valImages);
    progress('verify', 1, outputs.length + 1);
    const report: QuantizeReport = {
      schema: 'fer-edge/quantize-report@1',
      created: new Date().toISOString(),
      source: { file: basename(modelPath), sha256: manifest.sha256, bytes: sourceBytes.length },
      graph: { nodes: nodesBefore, folded_batchnorms: simplification.foldedBatchNorms, removed_noops: simplification.removedNoOps },
      calibration: { source: options.calibPath, images: calibSamples.length, method, ...(method === 'percentile' ? { percentile } : {}), excluded_nodes: [...exclude] },
      validation: { source: valPath, images: valSamples.length },
      fp32: { ...accuracyFigures(reference, valImages.labels), latency_ms: latencySummary(reference) },
      models: [],
      worst_layers: [],
    };
    for (const { format, flavor } of outputs) {
      const destination = outputPath(outDir, stem, format, flavor);
      let bytes: Uint8Array;
      let quantization: { inputQuantization?: { scale: number; zeroPoint: number }; outputQuantization?: { scale: number; zeroPoint: number } } = {};
      let qdqModel: Model | undefined;
      let ortOperators: Record<string, number> | undefined;
      if (format === 'onnx-int8' && flavor === 'cpu') {
        const cpuModel = cloneModel(model);
        writeQdqCpu(cpuModel, ranges, { exclude });
        bytes = encodeModel(cpuModel);
        ortOperators = await ortCpuOperators(bytes);
      } else if (format === 'onnx-int8') {
        qdqModel = cloneModel(model);
        writeQdq(qdqModel, ranges, { exclude });
        const violation = checkTensorRtRules(qdqModel)[0];
        if (violation) throw new Error(`internal error: the QDQ writer broke a TensorRT rule: ${violation.message}`);
        bytes = encodeModel(qdqModel);
      } else if (format === 'onnx-fp16') {
        const half = cloneModel(model);
        convertToFp16(half);
        bytes = encodeModel(half);
      } else {
        const converted = convertToTflite(model, ranges, `fer-edge quantize of ${basename(modelPath)} (${method})`);
        bytes = converted.bytes;
        quantization = { inputQuantization: converted.input, outputQuantization: converted.output };
        report.tflite = { operators: converted.operators, non_edgetpu_operators: nonEdgeTpuOperators(converted.operators) };
      }
      const stagedModel = staged.stage(destination, bytes);
      const derived = derivedManifest(manifest, modelPath, { format, ...(flavor ? { flavor } : {}), sha256: sha256(bytes), ...quantization, metrics: {} });
      const predictions = await predict(stagedModel, derived, valImages);
      const comparison = compareWithReference(predictions, reference, valImages.labels);
      const entry: ReportedModel = {
        format,
        ...(flavor ? { qdq_flavor: flavor } : {}),
        ...(ortOperators ? { ort_cpu_operators: ortOperators } : {}),
        file: basename(destination),
        bytes: bytes.length,
        sha256: derived.sha256,
        ...comparison,
      };
      report.models.push(entry);
      if (qdqModel) report.worst_layers = (await layerSensitivity(model, ranges, inputBatches(valImages, model, SENSITIVITY_IMAGES)[0]!)).slice(0, 10);
      derived.metrics = {
        val: { accuracy: comparison.accuracy, macro_f1: comparison.macro_f1, images: valSamples.length, source: valPath },
        vs_fp32: {
          top1_agreement: comparison.top1_agreement,
          accuracy_delta: comparison.accuracy_delta,
          macro_f1_delta: comparison.macro_f1_delta,
          max_probability_error: comparison.max_probability_error,
        },
        calibration: { method, images: calibSamples.length, ...(method === 'percentile' ? { percentile } : {}) },
        latency_ms_median_cpu_1_thread: comparison.latency_ms.median,
      };
      staged.stage(manifestPathFor(destination), JSON.stringify(derived, null, 2) + '\n');
      progress('verify', report.models.length + 1, outputs.length + 1);
    }
    const path = reportPath(outDir, stem);
    staged.stage(path, JSON.stringify(report, null, 2) + '\n');
    const files = staged.commit();
    return { files, reportPath: path, report };
  } catch (error) {
    staged.discard();
    throw error;
  }
}

export { checkTensorRtRules, type TrtViolation } from './qdq/trt-rules.js';
export { parseQdqFlavors, QDQ_FLAVORS, type QdqFlavor } from './qdq/flavor.js';
export { OUTPUT_FORMATS, outputPath, parseFormats, type OutputFormat } from './outputs.js';
export { reportTable, type QuantizeReport } from './report.js';
