import { ModelError } from '../../sdk/errors.js';
import type { CalibrationRange } from '../calibrate/index.js';
import { attrInt, describeNode, topologicalSort, uniqueName, type Graph, type Model, type Node } from '../onnx/graph.js';
import { DataType, floatTensor, type Tensor } from '../onnx/tensor.js';
import { quantizeWeightsSymmetric, transpose2d } from './quantize-weights.js';

/** Model metadata key listing the nodes deliberately left in floating point (`--exclude`); the TensorRT checker honours it. */
export const FLOAT_NODES_METADATA_KEY = 'fer-edge.float_nodes';
export const QDQ_OPSET = 13;

export interface QdqOptions {
  /** Node names kept in floating point. */
  exclude?: ReadonlySet<string>;
}

const MATRIX_OPS = new Set(['Conv', 'Gemm', 'MatMul']);

function node(name: string, opType: string, inputs: string[], outputs: string[], axis?: number): Node {
  const attributes: Node['attributes'] = new Map();
  if (axis !== undefined) attributes.set('axis', { type: 'int', value: axis });
  return { name, opType, domain: '', inputs, outputs, attributes };
}

function int8Tensor(name: string, dims: number[], values: Int8Array): Tensor {
  return { name, dataType: DataType.INT8, dims, data: values };
}

/** A value read by another node is "constant" when it is an initializer. */
function isActivation(graph: Graph, name: string): boolean {
  return name !== '' && !graph.initializers.has(name);
}

/** The nodes the QDQ writer quantizes: Conv, Gemm and MatMul, and Add with two activation inputs (residual). */
export function quantizableNodes(graph: Graph): Node[] {
  return graph.nodes.filter((n) => MATRIX_OPS.has(n.opType) || (n.opType === 'Add' && n.inputs.every((input) => isActivation(graph, input))));
}

/**
 * Rewrites a simplified fp32 model (in place) into TensorRT's explicit-quantization form: symmetric int8 with zero
 * point 0, weights per output channel (axis 0) in [-127, 127] behind DequantizeLinear, activations per tensor
 * behind a QuantizeLinear/DequantizeLinear pair on the inputs of Conv, Gemm and MatMul and on both inputs of a residual
 * Add. Biases stay fp32 (TensorRT quantizes them itself).
 */
export function writeQdq(model: Model, ranges: ReadonlyMap<string, CalibrationRange>, options: QdqOptions = {}): { quantizedNodes: number } {
  const graph = model.graph;
  const exclude = options.exclude ?? new Set<string>();
  const dequantized = new Map<string, string>();

  const activationQdq = (tensor: string, reader: Node): string => {
    const existing = dequantized.get(tensor);
    if (existing) return existing;
    const range = ranges.get(tensor);
    if (!range) throw new ModelError(`${describeNode(reader)}: no calibration range for its input "${tensor}"`);
    const scaleName = uniqueName(graph, `${tensor}_scale`);
    graph.initializers.set(scaleName, floatTensor(scaleName, [], Float32Array.of(range.threshold > 0 ? range.threshold / 127 : 1)));
    const zeroName = uniqueName(graph, `${tensor}_zero_point`);
    graph.initializers.set(zeroName, int8Tensor(zeroName, [], new Int8Array(1)));
    const quantizedName = uniqueName(graph, `${tensor}_quantized`);
    const dequantizedName = uniqueName(graph, `${tensor}_dequantized`);
    // New nodes join the graph right away so that the next uniqueName() sees their names.
    graph.nodes.push(
      node(`${quantizedName}_QuantizeLinear`, 'QuantizeLinear', [tensor, scaleName, zeroName], [quantizedName]),
      node(`${dequantizedName}_DequantizeLinear`, 'DequantizeLinear', [quantizedName, scaleName, zeroName], [dequantizedName]),
    );
    dequantized.set(tensor, dequantizedName);
    return dequantizedName;
  };

  const weightDq = (reader: Node, weightName: string, weight: Tensor): string => {
    const channels = weight.dims.length >= 2 && reader.opType !== 'MatMul' ? weight.dims[0]! : 1;
    const { values, scales } = quantizeWeightsSymmetric(weight.data as Float32Array, channels);
    const perChannel = channels > 1;
    const base = `${weightName}_${reader.name || reader.outputs[0]}`;
    const quantizedName = uniqueName(graph, `${base}_quantized`);
    const scaleName = uniqueName(graph, `${base}_scale`);
    const zeroName = uniqueName(graph, `${base}_zero_point`);
    graph.initializers.set(quantizedName, int8Tensor(quantizedName, [...weight.dims], values));
    graph.initializers.set(scaleName, floatTensor(scaleName, perChannel ? [channels] : [], perChannel ? scales : Float32Array.of(scales[0]!)));
    graph.initializers.set(zeroName, int8Tensor(zeroName, perChannel ? [channels] : [], new Int8Array(perChannel ? channels : 1)));
    const dequantizedName = uniqueName(graph, `${base}_dequantized`);
    graph.nodes.push(node(`${dequantizedName}_DequantizeLinear`, 'DequantizeLinear', [quantizedName, scaleName, zeroName], [dequantizedName], perChannel ? 0 : undefined));
    return dequantizedName;
  };

  let quantizedNodes = 0;
  for (const target of quantizableNodes(graph)) {
    if (exclude.has(target.name)) continue;
    if (MATRIX_OPS.has(target.opType)) {
      let weightName = target.inputs[1]!;
      let weight = graph.initializers.get(weightName);
      if (!weight || weight.dataType !== DataType.FLOAT) {
        throw new ModelError(`${describeNode(target)}: its weights "${weightName}" are not a float constant; fer-edge quantize needs constant weights`);
      }
      if (target.opType === 'Gemm' && attrInt(target, 'transB', 0) === 0) {
        // TensorRT wants the output channel on axis 0: store the weights transposed and let Gemm transpose them back.
        weightName = uniqueName(graph, `${weightName}_transposed`);
        weight = floatTensor(weightName, [weight.dims[1]!, weight.dims[0]!], transpose2d(weight));
        target.attributes.set('transB', { type: 'int', value: 1 });
      }
      target.inputs[0] = activationQdq(target.inputs[0]!, target);
      target.inputs[1] = weightDq(target, weightName, weight);
      quantizedNodes++;
    } else {
      target.inputs = target.inputs.map((input) => activationQdq(input, target));
      quantizedNodes++;
    }
  }
  for (const name of [...graph.initializers.keys()]) if (!graph.nodes.some((n) => n.inputs.includes(name))) graph.initializers.delete(name);
  graph.nodes = topologicalSort(graph);
  graph.valueInfo.clear();
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (opset) opset.version = Math.max(opset.version, QDQ_OPSET);
  else model.opsetImports.push({ domain: '', version: QDQ_OPSET });
  if (exclude.size > 0) model.metadata.set(FLOAT_NODES_METADATA_KEY, [...exclude].join(','));
  return { quantizedNodes };
}
