/**
 * TFLite operators the Edge TPU compiler maps onto the accelerator (Coral, "Supported operations":
 * https://coral.ai/docs/edgetpu/models-intro/#supported-operations). Anything else runs on the CPU and splits the model.
 */
export const EDGETPU_OPERATORS: ReadonlySet<string> = new Set([
  'ADD',
  'AVERAGE_POOL_2D',
  'CONCATENATION',
  'CONV_2D',
  'DEPTHWISE_CONV_2D',
  'EXPAND_DIMS',
  'FULLY_CONNECTED',
  'L2_NORMALIZATION',
  'LOGISTIC',
  'MAXIMUM',
  'MAX_POOL_2D',
  'MEAN',
  'MINIMUM',
  'MUL',
  'PACK',
  'PAD',
  'PRELU',
  'QUANTIZE',
  'REDUCE_MAX',
  'REDUCE_MIN',
  'RELU',
  'RELU6',
  'RELU_N1_TO_1',
  'RESHAPE',
  'RESIZE_BILINEAR',
  'RESIZE_NEAREST_NEIGHBOR',
  'RSQRT',
  'SLICE',
  'SOFTMAX',
  'SPACE_TO_DEPTH',
  'SPLIT',
  'SQUEEZE',
  'STRIDED_SLICE',
  'SUB',
  'SUM',
  'SQUARED_DIFFERENCE',
  'TANH',
  'TRANSPOSE',
  'TRANSPOSE_CONV',
]);

/** The operators in `operators` that the Edge TPU would leave on the CPU. */
export function nonEdgeTpuOperators(operators: readonly string[]): string[] {
  return operators.filter((op) => !EDGETPU_OPERATORS.has(op));
}
