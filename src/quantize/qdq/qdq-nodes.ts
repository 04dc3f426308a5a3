import { attrInt, uniqueName, type Graph, type Model, type Node } from '../../core/onnx/graph.js';
import { DataType, floatTensor, type Tensor } from '../../core/onnx/tensor.js';
import { quantizeWeightsSymmetric, transpose2d } from './quantize-weights.js';

/** Per-channel DequantizeLinear (the `axis` attribute) needs opset 13; both QDQ flavours write at least this. */
export const QDQ_OPSET = 13;

/** The Q/DQ building blocks both QDQ writers (TensorRT and CPU flavour) share. */
export function qdqNode(name: string, opType: string, inputs: string[], outputs: string[], axis?: number): Node {
  const attributes: Node['attributes'] = new Map();
  if (axis !== undefined) attributes.set('axis', { type: 'int', value: axis });
  return { name, opType, domain: '', inputs, outputs, attributes };
}

export function int8Tensor(name: string, dims: number[], values: Int8Array): Tensor {
  return { name, dataType: DataType.INT8, dims, data: values };
}

/** A value read by a node is an activation unless it is an initializer (or an omitted optional input). */
export function isActivation(graph: Graph, name: string): boolean {
  return name !== '' && !graph.initializers.has(name);
}

/** Conv, Gemm and MatMul: the operators with weights. */
export const MATRIX_OPS: ReadonlySet<string> = new Set(['Conv', 'Gemm', 'MatMul']);

/** The weight DequantizeLinear added in front of a Conv/Gemm/MatMul, and the scales its bias must be quantized with. */
export interface WeightDq {
  output: string;
  /** One per output channel (axis 0), or a single one (MatMul). */
  scales: Float32Array;
}

/**
 * Symmetric int8 weights ([-limit, limit], zero point 0) behind a DequantizeLinear: per output channel on axis 0 for Conv
 * and Gemm, per tensor for MatMul. A Gemm with `transB = 0` gets its weights stored transposed (and `transB = 1`), so
 * that the output channel is on axis 0 as TensorRT, and ONNX Runtime's bias quantization for Gemm, expect.
 */
export function addWeightDq(graph: Graph, reader: Node, weight: Tensor, limit = 127): WeightDq {
  let weightName = weight.name;
  if (reader.opType === 'Gemm' && attrInt(reader, 'transB', 0) === 0) {
    weightName = uniqueName(graph, `${weightName}_transposed`);
    weight = floatTensor(weightName, [weight.dims[1]!, weight.dims[0]!], transpose2d(weight));
    reader.attributes.set('transB', { type: 'int', value: 1 });
  }
  const channels = weight.dims.length >= 2 && reader.opType !== 'MatMul' ? weight.dims[0]! : 1;
  const { values, scales } = quantizeWeightsSymmetric(weight.data as Float32Array, channels, limit);
  const perChannel = channels > 1;
  const base = `${weightName}_${reader.name || reader.outputs[0]}`;
  const quantizedName = uniqueName(graph, `${base}_quantized`);
  const scaleName = uniqueName(graph, `${base}_scale`);
  const zeroName = uniqueName(graph, `${base}_zero_point`);
  graph.initializers.set(quantizedName, int8Tensor(quantizedName, [...weight.dims], values));
  graph.initializers.set(scaleName, floatTensor(scaleName, perChannel ? [channels] : [], perChannel ? scales : Float32Array.of(scales[0]!)));
  graph.initializers.set(zeroName, int8Tensor(zeroName, perChannel ? [channels] : [], new Int8Array(perChannel ? channels : 1)));
  const output = uniqueName(graph, `${base}_dequantized`);
  graph.nodes.push(qdqNode(`${output}_DequantizeLinear`, 'DequantizeLinear', [quantizedName, scaleName, zeroName], [output], perChannel ? 0 : undefined));
  reader.inputs[1] = output;
  return { output, scales };
}

/** Drops initializers nothing reads and raises the default opset to QDQ_OPSET. */
export function finishQdqModel(model: Model): void {
  const graph = model.graph;
  const read = new Set(graph.nodes.flatMap((n) => n.inputs));
  for (const name of [...graph.initializers.keys()]) if (!read.has(name)) graph.initializers.delete(name);
  graph.valueInfo.clear();
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (opset) opset.version = Math.max(opset.version, QDQ_OPSET);
  else model.opsetImports.push({ domain: '', version: QDQ_OPSET });
}
