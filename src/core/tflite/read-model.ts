/**
 * Reads a TFLite flatbuffer (tensorflow/lite/schema/schema.fbs): the main subgraph's tensors (with their constant
 * buffers), its operators with their builtin options, and the operator codes. The counterpart of schema.ts, which
 * writes; field slots below are the schema's 0-based field indices (a union takes two: its type, then its value).
 */
import { ByteBuffer } from 'flatbuffers';
import { isTfliteFile } from './tensors.js';
import { ModelError } from '../errors.js';
import type { TensorSpec } from './schema.js';

/** BuiltinOperator names by code, as in schema.fbs (codes from 127 on are only printed as numbers). */
const BUILTIN_OPERATORS = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP FLOOR ' +
  'FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM ' +
  'MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS ' +
  'SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND ' +
  'SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN ' +
  'EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 ' +
  'GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG ' +
  'SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT ' +
  'UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU ' +
  'SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE ' +
  'MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 ' +
  'SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL'
).split(' ');

export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATORS[code] ?? `builtin operator ${code}`;
}

/**
 * A tensor as the writer describes one (schema.ts), with its index in the subgraph. `shape` is the static shape
 * (shape_signature is not read); `data`, for constants, is a view into the file's bytes (not necessarily aligned).
 */
export interface TfliteTensor extends TensorSpec {
  index: number;
}

/** A builtin-options table, read field by field with the schema's defaults (the converter knows each option's slots). */
export interface TfliteOptions {
  int8(field: number, fallback?: number): number;
  int32(field: number, fallback?: number): number;
  int32s(field: number): number[];
}

export interface TfliteOperator {
  index: number;
  /** The BuiltinOperator code (32 = CUSTOM). */
  code: number;
  /** BuiltinOperator name; "CUSTOM <custom_code>" for a custom operator. */
  name: string;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  options?: TfliteOptions;
}

export interface TfliteModel {
  version: number;
  description: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

// Model { version (0), operator_codes (1), subgraphs (2), description (3), buffers (4) }
const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 };
// SubGraph { tensors (0), inputs (1), outputs (2), operators (3) }
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3 };
// Tensor { shape (0), type (1), buffer (2), name (3), quantization (4), is_variable (5), sparsity (6) }
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, sparsity: 6 };
// QuantizationParameters { min (0), max (1), scale (2), zero_point (3), details (4, 5), quantized_dimension (6) }
const QUANTIZATION = { scale: 2, zeroPoint: 3, axis: 6 };
// Buffer { data (0), offset (1), size (2) }: offset/size place the data after the flatbuffer (models over 2 GB).
const BUFFER = { data: 0, offset: 1, size: 2 };
// OperatorCode { deprecated_builtin_code: byte (0), custom_code (1), version (2), builtin_code: int (3) }
const OPERATOR_CODE = { deprecatedBuiltinCode: 0, customCode: 1, builtinCode: 3 };
// Operator { opcode_index (0), inputs (1), outputs (2), builtin_options_type (3), builtin_options (4) }
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2, options: 4 };

const CUSTOM = 32;

/** Typed field access to one flatbuffer; positions are absolute table offsets. */
class Reader {
  constructor(readonly bb: ByteBuffer) {}

  private slot(table: number, field: number): number {
    return this.bb.__offset(table, 4 + 2 * field);
  }

  has(table: number, field: number): boolean {
    return this.slot(table, field) !== 0;
  }

  int8(table: number, field: number, fallback = 0): number {
    const at = this.slot(table, field);
    return at ? this.bb.readInt8(table + at) : fallback;
  }

  int32(table: number, field: number, fallback = 0): number {
    const at = this.slot(table, field);
    return at ? this.bb.readInt32(table + at) : fallback;
  }

  uint64(table: number, field: number): number {
    const at = this.slot(table, field);
    return at ? Number(this.bb.readUint64(table + at)) : 0;
  }

  string(table: number, field: number): string {
    const at = this.slot(table, field);
    return at ? (this.bb.__string(table + at) as string) : '';
  }

  /** `at`, after checking that `size` bytes from it are in the file (ByteBuffer reads zeros past the end). */
  private inside(at: number, size: number): number {
    if (at < 0 || at + size > this.bb.capacity()) throw new ModelError('the file is truncated or corrupt (an offset points past its end)');
    return at;
  }

  /** The root table (Model). */
  root(): number {
    return this.inside(this.bb.readInt32(this.bb.position()) + this.bb.position(), 4);
  }

  table(table: number, field: number): number | undefined {
    const at = this.slot(table, field);
    return at ? this.inside(this.bb.__indirect(table + at), 4) : undefined;
  }

  private vector(table: number, field: number, width: number): { start: number; length: number } {
    const at = this.slot(table, field);
    if (!at) return { start: 0, length: 0 };
    const start = this.bb.__vector(table + at);
    const length = this.bb.__vector_len(table + at);
    this.inside(start, length * width);
    return { start, length };
  }

  tables(table: number, field: number): number[] {
    const { start, length } = this.vector(table, field, 4);
    return Array.from({ length }, (_, i) => this.inside(this.bb.__indirect(start + 4 * i), 4));
  }

  int32s(table: number, field: number): number[] {
    const { start, length } = this.vector(table, field, 4);
    return Array.from({ length }, (_, i) => this.bb.readInt32(start + 4 * i));
  }

  float32s(table: number, field: number): number[] {
    const { start, length } = this.vector(table, field, 4);
    return Array.from({ length }, (_, i) => this.bb.readFloat32(start + 4 * i));
  }

  int64s(table: number, field: number): number[] {
    const { start, length } = this.vector(table, field, 8);
    return Array.from({ length }, (_, i) => Number(this.bb.readInt64(start + 8 * i)));
  }

  bytes(table: number, field: number): Uint8Array {
    const { start, length } = this.vector(table, field, 1);
    return this.bb.bytes().subarray(start, start + length);
  }
}

/** Parses a TFLite model's main subgraph. `label` names the source in the one-line ModelError a corrupt file gives. */
export function readTfliteModel(bytes: Uint8Array, label = 'model'): TfliteModel {
  if (!isTfliteFile(bytes)) throw new ModelError(`${label} is not a TFLite flatbuffer (no TFL3 identifier): corrupt or wrong format`);
  try {
    return readModel(new Reader(new ByteBuffer(bytes)), bytes);
  } catch (error) {
    if (error instanceof ModelError) throw new ModelError(`${label}: ${error.message}`);
    throw new ModelError(`${label} is not a readable TFLite model (${(error as Error).message.split('\n')[0]})`);
  }
}

function readModel(r: Reader, bytes: Uint8Array): TfliteModel {
  const model = r.root();
  const subgraph = r.tables(model, MODEL.subgraphs)[0];
  if (subgraph === undefined) throw new ModelError('the model has no subgraph');
  const buffers = r.tables(model, MODEL.buffers);
  const codes = r.tables(model, MODEL.operatorCodes).map((code) => {
    // As TFLite's own reader does: the larger of the two fields (older files fill only the byte; codes over 126
    // live only in the int32, with 127 as a placeholder in the byte).
    const builtin = Math.max(r.int32(code, OPERATOR_CODE.builtinCode), r.int8(code, OPERATOR_CODE.deprecatedBuiltinCode));
    return { code: builtin, name: builtin === CUSTOM ? `CUSTOM ${r.string(code, OPERATOR_CODE.customCode)}`.trim() : builtinOperatorName(builtin) };
  });

  const bufferData = (index: number): Uint8Array | undefined => {
    const buffer = buffers[index];
    if (index === 0 || buffer === undefined) return undefined;
    const offset = r.uint64(buffer, BUFFER.offset);
    const size = r.uint64(buffer, BUFFER.size);
    if (offset > 1 && offset + size > bytes.length) throw new ModelError(`buffer ${index} lies past the end of the file: truncated`);
    const data = offset > 1 ? bytes.subarray(offset, offset + size) : r.bytes(buffer, BUFFER.data);
    return data.length > 0 ? data : undefined;
  };

  const tensors = r.tables(subgraph, SUBGRAPH.tensors).map((tensor, index): TfliteTensor => {
    const name = r.string(tensor, TENSOR.name) || `tensor_${index}`;
    if (r.has(tensor, TENSOR.sparsity)) throw new ModelError(`tensor "${name}" is sparse, which is not supported`);
    const data = bufferData(r.int32(tensor, TENSOR.buffer));
    const quantization = r.table(tensor, TENSOR.quantization);
    const scale = quantization === undefined ? [] : r.float32s(quantization, QUANTIZATION.scale);
    return {
      index,
      name,
      shape: r.int32s(tensor, TENSOR.shape),
      type: r.int8(tensor, TENSOR.type),
      ...(data ? { data } : {}),
      ...(quantization !== undefined && scale.length > 0
        ? { quantization: { scale, zeroPoint: r.int64s(quantization, QUANTIZATION.zeroPoint), quantizedDimension: r.int32(quantization, QUANTIZATION.axis) } }
        : {}),
    };
  });

  const checkIndices = (indices: number[], where: string): number[] => {
    const bad = indices.find((i) => i < -1 || i >= tensors.length);
    if (bad !== undefined) throw new ModelError(`${where} refers to tensor ${bad}, but the subgraph has ${tensors.length}`);
    return indices;
  };

  const operators = r.tables(subgraph, SUBGRAPH.operators).map((operator, index): TfliteOperator => {
    const opcode = codes[r.int32(operator, OPERATOR.opcodeIndex)];
    if (!opcode) throw new ModelError(`operator ${index} has an operator code index beyond the model's ${codes.length}`);
    const where = `operator ${index} (${opcode.name})`;
    const options = r.table(operator, OPERATOR.options);
    return {
      index,
      ...opcode,
      inputs: checkIndices(r.int32s(operator, OPERATOR.inputs), where),
      outputs: checkIndices(r.int32s(operator, OPERATOR.outputs), where),
      ...(options !== undefined
        ? {
            options: {
              int8: (field, fallback) => r.int8(options, field, fallback),
              int32: (field, fallback) => r.int32(options, field, fallback),
              int32s: (field) => r.int32s(options, field),
            },
          }
        : {}),
    };
  });

  return {
    version: r.int32(model, MODEL.version),
    description: r.string(model, MODEL.description),
    tensors,
    operators,
    inputs: checkIndices(r.int32s(subgraph, SUBGRAPH.inputs), 'the subgraph inputs'),
    outputs: checkIndices(r.int32s(subgraph, SUBGRAPH.outputs), 'the subgraph outputs'),
  };
}
