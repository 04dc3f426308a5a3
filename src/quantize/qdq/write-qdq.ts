import { ModelError } from '../../core/errors.js';
import type { CalibrationRange } from '../calibrate/index.js';
import { describeNode, topologicalSort, uniqueName, type Graph, type Model, type Node } from '../../core/onnx/graph.js';
import { DataType, floatTensor } from '../../core/onnx/tensor.js';
import { addWeightDq, finishQdqModel, int8Tensor, isActivation, MATRIX_OPS, qdqNode, QDQ_OPSET } from './qdq-nodes.js';

/** Model metadata key listing the nodes deliberately left in floating point (`--exclude`); the TensorRT checker honours it. */
export const FLOAT_NODES_METADATA_KEY = 'fer-edge.float_nodes';
export { QDQ_OPSET };

export interface QdqOptions {
  /** Node names kept in floating point. */
  exclude?: ReadonlySet<string>;
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
      qdqNode(`${quantizedName}_QuantizeLinear`, 'QuantizeLinear', [tensor, scaleName, zeroName], [quantizedName]),
      qdqNode(`${dequantizedName}_DequantizeLinear`, 'DequantizeLinear', [quantizedName, scaleName, zeroName], [dequantizedName]),
    );
    dequantized.set(tensor, dequantizedName);
    return dequantizedName;
  };

  let quantizedNodes = 0;
  for (const target of quantizableNodes(graph)) {
    if (exclude.has(target.name)) continue;
    if (MATRIX_OPS.has(target.opType)) {
      const weight = graph.initializers.get(target.inputs[1]!);
      if (!weight || weight.dataType !== DataType.FLOAT) {
        throw new ModelError(`${describeNode(target)}: its weights "${target.inputs[1]}" are not a float constant; fer-edge quantize needs constant weights`);
      }
      target.inputs[0] = activationQdq(target.inputs[0]!, target);
      addWeightDq(graph, target, weight);
      quantizedNodes++;
    } else {
      target.inputs = target.inputs.map((input) => activationQdq(input, target));
      quantizedNodes++;
    }
  }
  graph.nodes = topologicalSort(graph);
  finishQdqModel(model);
  if (exclude.size > 0) model.metadata.set(FLOAT_NODES_METADATA_KEY, [...exclude].join(','));
  return { quantizedNodes };
}
