import type { CalibrationMethodName } from './calibrate/range.js';
import type { OutputFormat } from './outputs.js';
import type { QdqFlavor } from './qdq/flavor.js';

/**
 * quantizeModel's defaults, apart from the model tool itself so that the CLI can show them without loading it.
 * Entropy (TensorRT's default calibrator) rather than percentile: a 99.99th percentile over every element cannot clip
 * outliers that come from whole images (1% of faces in MobileNetV3's late blocks), so the scale followed them and
 * the other 99% lost their resolution (fer-mnv3s epoch 7, 700 val images: int8 QDQ agreement with fp32 89.4% ->
 * 94.9%, TFLite 89.0% -> 95.1%, with the finer histogram of calibrate/histogram.ts).
 */
export const DEFAULTS = { calibCount: 300, method: 'entropy' as CalibrationMethodName, percentile: 99.99, formats: ['onnx-int8', 'tflite-int8', 'onnx-fp16'] as OutputFormat[], qdqFlavors: ['tensorrt'] as QdqFlavor[] };
