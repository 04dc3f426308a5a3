/**
 * The subset of the TFLite flatbuffer schema (tensorflow/lite/schema/schema.fbs) that fer-edge writes, built with the
 * `flatbuffers` builder from the schema's field ids and types. Field slots below are the 0-based field indices.
 */
import * as flatbuffers from 'flatbuffers';

/** TensorType in schema.fbs (the writer uses FLOAT32, INT32 and INT8; the reader, read-model.ts, meets them all). */
export enum TensorType {
  FLOAT32 = 0,
  FLOAT16 = 1,
  INT32 = 2,
  UINT8 = 3,
  INT64 = 4,
  STRING = 5,
  BOOL = 6,
  INT16 = 7,
  COMPLEX64 = 8,
  INT8 = 9,
  FLOAT64 = 10,
}

export enum BuiltinOperator {
  ADD = 0,
  AVERAGE_POOL_2D = 1,
  CONV_2D = 3,
  DEPTHWISE_CONV_2D = 4,
  DEQUANTIZE = 6,
  FULLY_CONNECTED = 9,
  LOGISTIC = 14,
  MAX_POOL_2D = 17,
  MUL = 18,
  RELU = 19,
  RELU6 = 21,
  RESHAPE = 22,
  SOFTMAX = 25,
  PAD = 34,
  MEAN = 40,
  QUANTIZE = 114,
  HARD_SWISH = 117,
}

/** The operator versions whose kernels take int8 (per-channel where it applies), as the TFLite converter stamps them. */
export const INT8_OPERATOR_VERSION: Record<BuiltinOperator, number> = {
  [BuiltinOperator.ADD]: 2,
  [BuiltinOperator.AVERAGE_POOL_2D]: 2,
  [BuiltinOperator.CONV_2D]: 3,
  [BuiltinOperator.DEPTHWISE_CONV_2D]: 3,
  [BuiltinOperator.DEQUANTIZE]: 2,
  [BuiltinOperator.FULLY_CONNECTED]: 4,
  [BuiltinOperator.LOGISTIC]: 2,
  [BuiltinOperator.MAX_POOL_2D]: 2,
  [BuiltinOperator.MUL]: 2,
  [BuiltinOperator.RELU]: 2,
  [BuiltinOperator.RELU6]: 2,
  [BuiltinOperator.RESHAPE]: 1,
  [BuiltinOperator.SOFTMAX]: 2,
  [BuiltinOperator.PAD]: 2,
  [BuiltinOperator.MEAN]: 2,
  [BuiltinOperator.QUANTIZE]: 1,
  [BuiltinOperator.HARD_SWISH]: 1,
};

export enum Padding {
  SAME = 0,
  VALID = 1,
}

export enum Activation {
  NONE = 0,
  RELU = 1,
  RELU6 = 3,
}

/** BuiltinOptions union members we write, with their union type ids. */
export type OperatorOptions =
  | { kind: 'Conv2DOptions'; padding: Padding; strideW: number; strideH: number; activation: Activation }
  | { kind: 'DepthwiseConv2DOptions'; padding: Padding; strideW: number; strideH: number; depthMultiplier: number; activation: Activation }
  | { kind: 'Pool2DOptions'; padding: Padding; strideW: number; strideH: number; filterW: number; filterH: number; activation: Activation }
  | { kind: 'FullyConnectedOptions'; activation: Activation }
  | { kind: 'SoftmaxOptions'; beta: number }
  | { kind: 'AddOptions'; activation: Activation }
  | { kind: 'MulOptions'; activation: Activation }
  | { kind: 'ReshapeOptions'; newShape: number[] }
  | { kind: 'ReducerOptions'; keepDims: boolean }
  | { kind: 'PadOptions' };

const OPTIONS_TYPE: Record<OperatorOptions['kind'], number> = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  AddOptions: 11,
  ReshapeOptions: 17,
  MulOptions: 21,
  PadOptions: 22,
  ReducerOptions: 27,
};

export interface QuantizationSpec {
  scale: number[];
  zeroPoint: number[];
  /** The axis the per-channel scales run along (0 for CONV_2D and FULLY_CONNECTED weights, 3 for depthwise). */
  quantizedDimension?: number;
}

export interface TensorSpec {
  name: string;
  shape: number[];
  type: TensorType;
  /** Constant contents, little-endian; absent for activations. */
  data?: Uint8Array;
  quantization?: QuantizationSpec;
}

export interface OperatorSpec {
  op: BuiltinOperator;
  inputs: number[];
  outputs: number[];
  options?: OperatorOptions;
}

export interface ModelSpec {
  description: string;
  tensors: TensorSpec[];
  operators: OperatorSpec[];
  inputs: number[];
  outputs: number[];
}

const SCHEMA_VERSION = 3;
/** TFLite reads constant buffers in place: keep them aligned for any element type. */
const BUFFER_ALIGNMENT = 16;

function int32Vector(builder: flatbuffers.Builder, values: readonly number[]): flatbuffers.Offset {
  builder.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) builder.addInt32(values[i]!);
  return builder.endVector();
}

function float32Vector(builder: flatbuffers.Builder, values: readonly number[]): flatbuffers.Offset {
  builder.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) builder.addFloat32(values[i]!);
  return builder.endVector();
}

function int64Vector(builder: flatbuffers.Builder, values: readonly number[]): flatbuffers.Offset {
  builder.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) builder.addInt64(BigInt(values[i]!));
  return builder.endVector();
}

function byteVector(builder: flatbuffers.Builder, bytes: Uint8Array): flatbuffers.Offset {
  builder.startVector(1, bytes.length, BUFFER_ALIGNMENT);
  for (let i = bytes.length - 1; i >= 0; i--) builder.addInt8(bytes[i]!);
  return builder.endVector();
}

/** Buffer { data: [ubyte] (0) }. */
function buildBuffer(builder: flatbuffers.Builder, data: Uint8Array | undefined): flatbuffers.Offset {
  const dataOffset = data && data.length > 0 ? byteVector(builder, data) : 0;
  builder.startObject(1);
  if (dataOffset) builder.addFieldOffset(0, dataOffset, 0);
  return builder.endObject();
}

/** QuantizationParameters { min (0), max (1), scale: [float] (2), zero_point: [long] (3), details (4,5), quantized_dimension: int (6) }. */
function buildQuantization(builder: flatbuffers.Builder, q: QuantizationSpec): flatbuffers.Offset {
  const scale = float32Vector(builder, q.scale);
  const zeroPoint = int64Vector(builder, q.zeroPoint);
  builder.startObject(7);
  builder.addFieldOffset(2, scale, 0);
  builder.addFieldOffset(3, zeroPoint, 0);
  builder.addFieldInt32(6, q.quantizedDimension ?? 0, 0);
  return builder.endObject();
}

/** Tensor { shape: [int] (0), type: TensorType (1), buffer: uint (2), name: string (3), quantization (4) }. */
function buildTensor(builder: flatbuffers.Builder, tensor: TensorSpec, buffer: number): flatbuffers.Offset {
  const shape = int32Vector(builder, tensor.shape);
  const name = builder.createString(tensor.name);
  const quantization = tensor.quantization ? buildQuantization(builder, tensor.quantization) : 0;
  builder.startObject(5);
  builder.addFieldOffset(0, shape, 0);
  builder.addFieldInt8(1, tensor.type, 0);
  builder.addFieldInt32(2, buffer, 0);
  builder.addFieldOffset(3, name, 0);
  if (quantization) builder.addFieldOffset(4, quantization, 0);
  return builder.endObject();
}

function buildOptions(builder: flatbuffers.Builder, options: OperatorOptions): flatbuffers.Offset {
  switch (options.kind) {
    case 'Conv2DOptions': // padding (0), stride_w (1), stride_h (2), fused_activation_function (3), dilation_w (4), dilation_h (5)
      builder.startObject(6);
      builder.addFieldInt8(0, options.padding, 0);
      builder.addFieldInt32(1, options.strideW, 0);
      builder.addFieldInt32(2, options.strideH, 0);
      builder.addFieldInt8(3, options.activation, 0);
      builder.addFieldInt32(4, 1, 1);
      builder.addFieldInt32(5, 1, 1);
      return builder.endObject();
    case 'DepthwiseConv2DOptions': // padding (0), stride_w (1), stride_h (2), depth_multiplier (3), activation (4), dilations (5, 6)
      builder.startObject(7);
      builder.addFieldInt8(0, options.padding, 0);
      builder.addFieldInt32(1, options.strideW, 0);
      builder.addFieldInt32(2, options.strideH, 0);
      builder.addFieldInt32(3, options.depthMultiplier, 0);
      builder.addFieldInt8(4, options.activation, 0);
      builder.addFieldInt32(5, 1, 1);
      builder.addFieldInt32(6, 1, 1);
      return builder.endObject();
    case 'Pool2DOptions': // padding (0), stride_w (1), stride_h (2), filter_width (3), filter_height (4), activation (5)
      builder.startObject(6);
      builder.addFieldInt8(0, options.padding, 0);
      builder.addFieldInt32(1, options.strideW, 0);
      builder.addFieldInt32(2, options.strideH, 0);
      builder.addFieldInt32(3, options.filterW, 0);
      builder.addFieldInt32(4, options.filterH, 0);
      builder.addFieldInt8(5, options.activation, 0);
      return builder.endObject();
    case 'FullyConnectedOptions': // fused_activation_function (0), weights_format (1), keep_num_dims (2)
      builder.startObject(3);
      builder.addFieldInt8(0, options.activation, 0);
      return builder.endObject();
    case 'SoftmaxOptions': // beta: float (0)
      builder.startObject(1);
      builder.addFieldFloat32(0, options.beta, 0);
      return builder.endObject();
    case 'AddOptions': // fused_activation_function (0)
    case 'MulOptions':
      builder.startObject(1);
      builder.addFieldInt8(0, options.activation, 0);
      return builder.endObject();
    case 'ReshapeOptions': { // new_shape: [int] (0)
      const newShape = int32Vector(builder, options.newShape);
      builder.startObject(1);
      builder.addFieldOffset(0, newShape, 0);
      return builder.endObject();
    }
    case 'ReducerOptions': // keep_dims: bool (0)
      builder.startObject(1);
      builder.addFieldInt8(0, options.keepDims ? 1 : 0, 0);
      return builder.endObject();
    case 'PadOptions':
      builder.startObject(0);
      return builder.endObject();
  }
}

/** Operator { opcode_index: uint (0), inputs (1), outputs (2), builtin_options_type (3), builtin_options (4) }. */
function buildOperator(builder: flatbuffers.Builder, operator: OperatorSpec, opcodeIndex: number): flatbuffers.Offset {
  const inputs = int32Vector(builder, operator.inputs);
  const outputs = int32Vector(builder, operator.outputs);
  const options = operator.options ? buildOptions(builder, operator.options) : 0;
  builder.startObject(5);
  builder.addFieldInt32(0, opcodeIndex, 0);
  builder.addFieldOffset(1, inputs, 0);
  builder.addFieldOffset(2, outputs, 0);
  if (operator.options) {
    builder.addFieldInt8(3, OPTIONS_TYPE[operator.options.kind], 0);
    builder.addFieldOffset(4, options, 0);
  }
  return builder.endObject();
}

/** OperatorCode { deprecated_builtin_code: byte (0), custom_code (1), version: int (2), builtin_code: BuiltinOperator (3) }. */
function buildOperatorCode(builder: flatbuffers.Builder, op: BuiltinOperator): flatbuffers.Offset {
  builder.startObject(4);
  // Readers before the int32 field (schema v3a) look at the byte; codes above 127 live only in the new field.
  builder.addFieldInt8(0, Math.min(op, 127), 0);
  builder.addFieldInt32(2, INT8_OPERATOR_VERSION[op], 1);
  builder.addFieldInt32(3, op, 0);
  return builder.endObject();
}

function offsetVector(builder: flatbuffers.Builder, offsets: readonly flatbuffers.Offset[]): flatbuffers.Offset {
  builder.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) builder.addOffset(offsets[i]!);
  return builder.endVector();
}

/** Serializes one single-subgraph model with the "TFL3" file identifier. */
export function buildTfliteModel(model: ModelSpec): Uint8Array {
  const builder = new flatbuffers.Builder(1 << 16);
  builder.forceDefaults(true);
  // Buffer 0 is the empty sentinel every activation tensor points to.
  const bufferOffsets = [buildBuffer(builder, undefined)];
  const tensorBuffers = model.tensors.map((tensor) => {
    if (!tensor.data) return 0;
    bufferOffsets.push(buildBuffer(builder, tensor.data));
    return bufferOffsets.length - 1;
  });
  const tensors = model.tensors.map((tensor, i) => buildTensor(builder, tensor, tensorBuffers[i]!));
  const opcodes = [...new Set(model.operators.map((o) => o.op))];
  const operators = model.operators.map((operator) => buildOperator(builder, operator, opcodes.indexOf(operator.op)));

  const tensorVector = offsetVector(builder, tensors);
  const inputs = int32Vector(builder, model.inputs);
  const outputs = int32Vector(builder, model.outputs);
  const operatorVector = offsetVector(builder, operators);
  const subgraphName = builder.createString('main');
  // SubGraph { tensors (0), inputs (1), outputs (2), operators (3), name (4) }
  builder.startObject(5);
  builder.addFieldOffset(0, tensorVector, 0);
  builder.addFieldOffset(1, inputs, 0);
  builder.addFieldOffset(2, outputs, 0);
  builder.addFieldOffset(3, operatorVector, 0);
  builder.addFieldOffset(4, subgraphName, 0);
  const subgraph = builder.endObject();

  const opcodeVector = offsetVector(builder, opcodes.map((op) => buildOperatorCode(builder, op)));
  const subgraphVector = offsetVector(builder, [subgraph]);
  const description = builder.createString(model.description);
  const bufferVector = offsetVector(builder, bufferOffsets);
  // Model { version: uint (0), operator_codes (1), subgraphs (2), description (3), buffers (4) }
  builder.startObject(5);
  builder.addFieldInt32(0, SCHEMA_VERSION, 0);
  builder.addFieldOffset(1, opcodeVector, 0);
  builder.addFieldOffset(2, subgraphVector, 0);
  builder.addFieldOffset(3, description, 0);
  builder.addFieldOffset(4, bufferVector, 0);
  builder.finish(builder.endObject(), 'TFL3');
  return builder.asUint8Array();
}
