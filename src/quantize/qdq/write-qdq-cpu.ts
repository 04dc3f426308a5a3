import { ModelError } from '../../core/errors.js';
import type { CalibrationRange } from '../calibrate/index.js';
import { attrFloat, attrInt, consumers, describeNode, producers, topologicalSort, uniqueName, type Graph, type Model, type Node } from '../../core/onnx/graph.js';
import { DataType, floatTensor, type Tensor } from '../../core/onnx/tensor.js';
import { asymmetricParams, quantizeBias, type AffineParams } from '../tflite/quantize-params.js';
import { QDQ_FLAVOR_METADATA_KEY } from './flavor.js';
import { addWeightDq, finishQdqModel, MATRIX_OPS, qdqNode } from './qdq-nodes.js';
import { hardSwishAsAddMul } from './hard-swish-as-add-mul.js';
import { squeezeToGlobalAveragePool } from './squeeze-to-pool.js';

export interface CpuQdqOptions {
  /** Conv/Gemm/MatMul node names whose weights and bias stay fp32 (they then run as float operators). */
  exclude?: ReadonlySet<string>;
}

/** Operators that only move or select values: their output keeps their input's quantization, so ONNX Runtime drops the pair. */
const PASS_THROUGH = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Transpose', 'MaxPool']);

/** uint8 per tensor, asymmetric, 0 exact: TFLite's int8 parameters shifted by 128 (same scale, same grid). */
export function uint8Params(range: Pick<CalibrationRange, 'low' | 'high'>): AffineParams {
  const { scale, zeroPoint } = asymmetricParams(range);
  return { scale, zeroPoint: zeroPoint + 128 };
}

function tensor(name: string, dataType: DataType, dims: number[], data: Tensor['data']): Tensor {
  return { name, dataType, dims, data };
}

/** Scalar scale and uint8 zero point initializers for the quantization of `name`; returns their names. */
function addUint8Params(graph: Graph, name: string, { scale, zeroPoint }: AffineParams): [string, string] {
  const scaleName = uniqueName(graph, `${name}_scale`);
  graph.initializers.set(scaleName, floatTensor(scaleName, [], Float32Array.of(scale)));
  const zeroName = uniqueName(graph, `${name}_zero_point`);
  graph.initializers.set(zeroName, tensor(zeroName, DataType.UINT8, [], Uint8Array.of(zeroPoint)));
  return [scaleName, zeroName];
}

/**
 * The int8 range of a node's weights. x86 CPUs without VNNI (AVX2, AVX-512F) multiply uint8 by int8 with PMADDUBSW,
 * which adds two neighbouring products in saturating 16 bits: 255 x 127 x 2 overflows 32767, and ONNX Runtime's U8S8
 * matrix kernels (QLinearConv's GEMM path, QGemm) use it unless the session asks for the slower U8U8 kernels
 * (`session.x64quantprecision`). Weights in [-64, 64] (255 x 64 x 2 = 32640) cannot overflow, and agree with fp32
 * as well as the U8U8 kernels do, where full-range weights lose several points of agreement.
 * Depthwise convolutions accumulate in 32 bits (MLAS's depthwise kernel) and keep the full range.
 */
export function weightLimit(node: Node, weight: Tensor): number {
  const depthwise = node.opType === 'Conv' && attrInt(node, 'group', 1) > 1 && weight.dims[1] === 1;
  return depthwise ? 127 : 64;
}

/**
 * A Conv/Gemm whose output only feeds a Relu: ONNX Runtime takes Conv -> Relu -> QuantizeLinear as one QLinearConv
 * when the Relu's output zero point makes it redundant (uint8, zero point 0, which a Relu's range [0, high] gives), so
 * the value between them stays float.
 */
function feedsOnlyRelu(node: Node | undefined, readers: Node[]): boolean {
  return !!node && MATRIX_OPS.has(node.opType) && readers.length === 1 && readers[0]!.opType === 'Relu';
}

/**
 * Rewrites a simplified fp32 model (in place) into the QDQ form ONNX Runtime's CPU execution provider fuses into
 * integer kernels (QLinearConv, QGemm, QLinearAdd, QLinearMul, QLinearGlobalAveragePool, uint8 MaxPool): every
 * activation is quantized once where it is produced (QuantizeLinear, uint8, asymmetric per tensor) and dequantized in
 * front of each reader, so that each operator sits between DequantizeLinear on its inputs and QuantizeLinear on its
 * output; weights are symmetric int8 per output channel (7-bit where x86 could saturate, see weightLimit) and biases
 * int32 (scale = input scale x weight scale).
 * uint8 activations with int8 weights (U8S8) are what ORT fuses on x86 (int8 activations only on ARM) and runs on ARM
 * too. First the squeeze of squeeze-excite (ReduceMean over H, W) becomes GlobalAveragePool and hard-swish becomes
 * Add and Mul (hard-swish-as-add-mul.ts); operators without an integer kernel (the excite's HardSigmoid) run in float
 * between a DQ and a Q; the graph outputs stay float (the last Gemm becomes QGemm with a float output).
 */
export function writeQdqCpu(model: Model, ranges: ReadonlyMap<string, CalibrationRange>, options: CpuQdqOptions = {}): { quantizedTensors: number; pooledSqueezes: number } {
  const graph = model.graph;
  const exclude = options.exclude ?? new Set<string>();
  const pooledSqueezes = squeezeToGlobalAveragePool(graph);
  const fixedRanges = hardSwishAsAddMul(graph);
  const producerOf = producers(graph);
  const readersOf = consumers(graph);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));

  // Which activations are quantized, and how (graph order, so that a pass-through operator finds its input's).
  const params = new Map<string, AffineParams>();
  const choose = (name: string): void => {
    const readers = readersOf.get(name) ?? [];
    const node = producerOf.get(name);
    if (graphOutputs.has(name) || readers.length === 0 || feedsOnlyRelu(node, readers)) return;
    const inherited = node && PASS_THROUGH.has(node.opType) ? params.get(node.inputs[0]!) : undefined;
    if (inherited) {
      params.set(name, inherited);
      return;
    }
    const range = ranges.get(name) ?? fixedRanges.get(name);
    if (!range) throw new ModelError(`${node ? describeNode(node) : 'graph input'}: no calibration range for "${name}"`);
    params.set(name, uint8Params(range));
  };
  for (const input of graph.inputs) choose(input.name);
  for (const node of graph.nodes) for (const output of node.outputs) if (output) choose(output);

  // Weights and biases first, while each node still reads its input by its original name.
  for (const node of [...graph.nodes]) {
    if (!MATRIX_OPS.has(node.opType) || exclude.has(node.name)) continue;
    const weight = graph.initializers.get(node.inputs[1]!);
    if (!weight || weight.dataType !== DataType.FLOAT) continue; // activation x activation: both inputs get DQ below
    const inputParams = params.get(node.inputs[0]!);
    if (!inputParams) throw new ModelError(`${describeNode(node)}: its input "${node.inputs[0]}" is not quantized`);
    const { scales } = addWeightDq(graph, node, weight, weightLimit(node, weight));
    const biasName = node.inputs[2];
    const bias = biasName ? graph.initializers.get(biasName) : undefined;
    if (!bias || bias.dataType !== DataType.FLOAT || (node.opType === 'Gemm' && attrFloat(node, 'beta', 1) !== 1)) continue;
    if (node.opType === 'Gemm') node.attributes.set('beta', { type: 'float', value: 1 }); // ORT's Gemm selector reads it
    const channels = bias.data.length;
    const quantized = quantizeBias(bias.data as Float32Array, channels, inputParams.scale, scales);
    const perChannel = scales.length > 1;
    const valuesName = uniqueName(graph, `${biasName}_quantized`);
    const scaleName = uniqueName(graph, `${biasName}_scale`);
    graph.initializers.set(valuesName, tensor(valuesName, DataType.INT32, [...bias.dims], quantized.values));
    graph.initializers.set(scaleName, floatTensor(scaleName, perChannel ? [channels] : [], Float32Array.from(perChannel ? quantized.scales : [quantized.scales[0]!])));
    const output = uniqueName(graph, `${biasName}_dequantized`);
    graph.nodes.push(qdqNode(`${output}_DequantizeLinear`, 'DequantizeLinear', [valuesName, scaleName], [output], perChannel ? 0 : undefined));
    node.inputs[2] = output;
  }

  // Constants read by other operators (hard-swish's 3 and 1/6): uint8 behind a DequantizeLinear, so that the reader fuses.
  for (const node of [...graph.nodes]) {
    if (MATRIX_OPS.has(node.opType) || node.opType === 'DequantizeLinear') continue;
    node.inputs.forEach((name, index) => {
      const constant = name ? graph.initializers.get(name) : undefined;
      if (!constant || constant.dataType !== DataType.FLOAT) return;
      const values = constant.data as Float32Array;
      const quant = uint8Params({ low: Math.min(...values), high: Math.max(...values) });
      const quantizedName = uniqueName(graph, `${name}_quantized`);
      const quantized = Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round(v / quant.scale) + quant.zeroPoint)));
      graph.initializers.set(quantizedName, tensor(quantizedName, DataType.UINT8, [...constant.dims], quantized));
      const [scaleName, zeroName] = addUint8Params(graph, name, quant);
      const output = uniqueName(graph, `${name}_dequantized`);
      graph.nodes.push(qdqNode(`${output}_DequantizeLinear`, 'DequantizeLinear', [quantizedName, scaleName, zeroName], [output]));
      node.inputs[index] = output;
    });
  }

  // One QuantizeLinear where each activation is made, one DequantizeLinear in front of each reader.
  for (const [name, quant] of params) {
    const [scaleName, zeroName] = addUint8Params(graph, name, quant);
    const quantized = uniqueName(graph, `${name}_quantized`);
    graph.nodes.push(qdqNode(`${quantized}_QuantizeLinear`, 'QuantizeLinear', [name, scaleName, zeroName], [quantized]));
    for (const reader of readersOf.get(name)!) {
      const dequantized = uniqueName(graph, `${name}_dequantized`);
      graph.nodes.push(qdqNode(`${dequantized}_DequantizeLinear`, 'DequantizeLinear', [quantized, scaleName, zeroName], [dequantized]));
      reader.inputs = reader.inputs.map((input) => (input === name ? dequantized : input));
    }
  }
  graph.nodes = topologicalSort(graph);
  finishQdqModel(model);
  model.metadata.set(QDQ_FLAVOR_METADATA_KEY, 'cpu');
  return { quantizedTensors: params.size, pooledSqueezes };
}
