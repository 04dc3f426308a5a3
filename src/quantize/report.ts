import type { Comparison, AccuracyFigures } from './verify/compare.js';
import type { LayerError } from './verify/layer-error.js';
import type { OutputFormat } from './outputs.js';
import type { QdqFlavor } from './qdq/flavor.js';

export interface ReportedModel extends Comparison {
  format: OutputFormat;
  /** onnx-int8: which QDQ graph, and the operators ONNX Runtime's CPU EP runs after its graph optimizations. */
  qdq_flavor?: QdqFlavor;
  ort_cpu_operators?: Record<string, number>;
  file: string;
  bytes: number;
  sha256: string;
}

/** `<stem>.quantize-report.json`: what was made, from what, and how each model compares with fp32 on val. */
export interface QuantizeReport {
  schema: 'fer-edge/quantize-report@1';
  created: string;
  source: { file: string; sha256: string; bytes: number };
  graph: { nodes: number; folded_batchnorms: number; removed_noops: number };
  calibration: { source: string; images: number; method: string; percentile?: number; excluded_nodes: string[] };
  validation: { source: string; images: number };
  fp32: AccuracyFigures & { latency_ms: Comparison['latency_ms'] };
  models: ReportedModel[];
  /** int8 QDQ ONNX: the layers whose quantization alone hurts the output most (on val images), worst first. */
  worst_layers: LayerError[];
  tflite?: {
    operators: string[];
    /** Operators the Edge TPU compiler would leave on the CPU (empty: the whole model maps to the Edge TPU). */
    non_edgetpu_operators: string[];
  };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}

function signedPoints(value: number): string {
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(2)}`;
}

/** The printed table: one row per model, fp32 first. */
export function reportTable(report: QuantizeReport): string {
  const header = ['model', 'size', 'accuracy', 'macro-F1', 'Δacc (pts)', 'agreement', 'max |Δp|', 'latency ms (median)'];
  const rows = [
    [report.source.file, `${(report.source.bytes / 1024).toFixed(0)} KiB`, percent(report.fp32.accuracy), percent(report.fp32.macro_f1), '', '', '', report.fp32.latency_ms.median.toFixed(3)],
    ...report.models.map((m) => [
      m.file,
      `${(m.bytes / 1024).toFixed(0)} KiB`,
      percent(m.accuracy),
      percent(m.macro_f1),
      signedPoints(m.accuracy_delta),
      percent(m.top1_agreement),
      m.max_probability_error.toFixed(4),
      m.latency_ms.median.toFixed(3),
    ]),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    `val: ${report.validation.images} images from ${report.validation.source}; calibration: ${report.calibration.images} images, ${report.calibration.method}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
