import { ByteBuffer } from 'flatbuffers';
import type { QuantizationParams } from '../quantization.js';

/**
 * Reads what the TFLite runtime binding does not expose: each input and output tensor's quantization parameters
 * (and its name, type and shape signature) from the model's flatbuffer (schema.fbs: Model -> SubGraph -> Tensor).
 */
export interface TfliteTensorInfo {
  name: string;
  type: number;
  /** shape_signature when present (-1 marks a dynamic dimension), else shape. */
  shape: number[];
  quantization?: QuantizationParams;
}

export interface TfliteIo {
  inputs: TfliteTensorInfo[];
  outputs: TfliteTensorInfo[];
}

/** TensorType values from TFLite's schema.fbs. */
export const TFLITE_TYPE = { FLOAT32: 0, INT32: 2, UINT8: 3, INT64: 4, INT8: 9 } as const;

// Field slots in schema.fbs tables (vtable offset = 4 + 2 x field index).
const MODEL_SUBGRAPHS = 2;
const SUBGRAPH_TENSORS = 0;
const SUBGRAPH_INPUTS = 1;
const SUBGRAPH_OUTPUTS = 2;
const TENSOR_SHAPE = 0;
const TENSOR_TYPE = 1;
const TENSOR_NAME = 3;
const TENSOR_QUANTIZATION = 4;
const TENSOR_SHAPE_SIGNATURE = 7;
const QUANT_SCALE = 2;
const QUANT_ZERO_POINT = 3;

export function isTfliteFile(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && new ByteBuffer(bytes).__has_identifier('TFL3');
}

export function readTfliteIo(bytes: Uint8Array): TfliteIo {
  const bb = new ByteBuffer(bytes);
  const field = (table: number, index: number): number => bb.__offset(table, 4 + 2 * index);
  const vector = (table: number, index: number): { start: number; length: number } => {
    const offset = field(table, index);
    return offset ? { start: bb.__vector(table + offset), length: bb.__vector_len(table + offset) } : { start: 0, length: 0 };
  };
  const int32Vector = (table: number, index: number): number[] => {
    const { start, length } = vector(table, index);
    return Array.from({ length }, (_, i) => bb.readInt32(start + 4 * i));
  };

  const model = bb.readInt32(bb.position()) + bb.position();
  const subgraphs = vector(model, MODEL_SUBGRAPHS);
  if (subgraphs.length === 0) throw new Error('the model has no subgraph');
  const subgraph = bb.__indirect(subgraphs.start);
  const tensors = vector(subgraph, SUBGRAPH_TENSORS);

  const tensorInfo = (index: number): TfliteTensorInfo => {
    if (index < 0 || index >= tensors.length) throw new Error(`tensor index ${index} out of range`);
    const tensor = bb.__indirect(tensors.start + 4 * index);
    const nameOffset = field(tensor, TENSOR_NAME);
    const typeOffset = field(tensor, TENSOR_TYPE);
    const signature = int32Vector(tensor, TENSOR_SHAPE_SIGNATURE);
    const info: TfliteTensorInfo = {
      name: nameOffset ? (bb.__string(tensor + nameOffset) as string) : '',
      type: typeOffset ? bb.readInt8(tensor + typeOffset) : TFLITE_TYPE.FLOAT32,
      shape: signature.length > 0 ? signature : int32Vector(tensor, TENSOR_SHAPE),
    };
    const quantOffset = field(tensor, TENSOR_QUANTIZATION);
    if (quantOffset) {
      const quant = bb.__indirect(tensor + quantOffset);
      const scales = vector(quant, QUANT_SCALE);
      const zeroPoints = vector(quant, QUANT_ZERO_POINT);
      if (scales.length === 1) {
        info.quantization = {
          scale: bb.readFloat32(scales.start),
          zeroPoint: zeroPoints.length > 0 ? Number(bb.readInt64(zeroPoints.start)) : 0,
        };
      }
    }
    return info;
  };

  return {
    inputs: int32Vector(subgraph, SUBGRAPH_INPUTS).map(tensorInfo),
    outputs: int32Vector(subgraph, SUBGRAPH_OUTPUTS).map(tensorInfo),
  };
}
