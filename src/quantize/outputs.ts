import { basename, extname, join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { ModelManifest } from '../sdk/model/manifest-types.js';
import { QDQ_FLAVOR_INFO, type QdqFlavor } from './qdq/flavor.js';

export const OUTPUT_FORMATS = ['onnx-int8', 'tflite-int8', 'onnx-fp16'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * File names beside the fp32 model. The int8 ONNX is `.int8-qdq.onnx` rather than `.int8.onnx` because a manifest is
 * the model path with its last extension replaced: `.int8.onnx` and `.int8.tflite` would share `<stem>.int8.json`.
 */
const SUFFIX: Record<OutputFormat, string> = {
  'onnx-int8': '.int8-qdq.onnx',
  'tflite-int8': '.int8.tflite',
  'onnx-fp16': '.fp16.onnx',
};

export function parseFormats(list: string): OutputFormat[] {
  const formats = list.split(',').map((f) => f.trim()).filter(Boolean);
  const unknown = formats.find((f) => !OUTPUT_FORMATS.includes(f as OutputFormat));
  if (unknown !== undefined || formats.length === 0) {
    throw new ConfigError(`--formats takes a comma-separated list of ${OUTPUT_FORMATS.join(', ')}${unknown ? `, got "${unknown}"` : ''}`);
  }
  return [...new Set(formats as OutputFormat[])];
}

export function modelStem(modelPath: string): string {
  return basename(modelPath, extname(modelPath));
}

/** The CPU-flavour QDQ model sits beside the TensorRT one: `<stem>.int8-qdq-cpu.onnx`. */
export function outputPath(outDir: string, stem: string, format: OutputFormat, flavor: QdqFlavor = 'tensorrt'): string {
  const suffix = format === 'onnx-int8' && flavor !== 'tensorrt' ? SUFFIX[format].replace(/\.onnx$/, `-${flavor}.onnx`) : SUFFIX[format];
  return join(outDir, stem + suffix);
}

export function reportPath(outDir: string, stem: string): string {
  return join(outDir, `${stem}.quantize-report.json`);
}

export interface DerivedModel {
  format: OutputFormat;
  /** onnx-int8: which QDQ graph. */
  flavor?: QdqFlavor;
  sha256: string;
  /** int8 TFLite: the quantization of its int8 input and output tensors. */
  inputQuantization?: { scale: number; zeroPoint: number };
  outputQuantization?: { scale: number; zeroPoint: number };
  metrics: Record<string, unknown>;
}

/** The fp32 manifest, re-stamped for a derived model: format, precision, sha256, tensor layout/types, source and metrics. */
export function derivedManifest(source: ModelManifest, sourceFile: string, derived: DerivedModel): ModelManifest & { output: { quantization?: { scale: number; zeroPoint: number } } } {
  const isTflite = derived.format === 'tflite-int8';
  const manifest = structuredClone(source) as ModelManifest & { output: { quantization?: { scale: number; zeroPoint: number } } };
  manifest.format = isTflite ? 'tflite' : 'onnx';
  manifest.precision = derived.format === 'onnx-fp16' ? 'fp16' : 'int8';
  manifest.sha256 = derived.sha256;
  manifest.source = { model: basename(sourceFile), sha256: source.sha256 };
  manifest.metrics = derived.metrics;
  if (derived.format === 'onnx-int8') manifest.qdq = QDQ_FLAVOR_INFO[derived.flavor ?? 'tensorrt'];
  if (isTflite) {
    manifest.input.layout = 'NHWC';
    manifest.input.dtype = 'int8';
    manifest.input.quantization = derived.inputQuantization!;
    manifest.output.quantization = derived.outputQuantization!;
  }
  return manifest;
}
