import type { CalibrationMethodName } from './calibrate/range.js';
import type { OutputFormat } from './outputs.js';

/** quantizeModel's defaults, apart from the model tool itself so that the CLI can show them without loading it. */
export const DEFAULTS = { calibCount: 300, method: 'percentile' as CalibrationMethodName, percentile: 99.99, formats: ['onnx-int8', 'tflite-int8', 'onnx-fp16'] as OutputFormat[] };
