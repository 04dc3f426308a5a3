import { renameValue, topologicalSort, uniqueName, type Model, type Node } from '../core/onnx/graph.js';
import { DataType, floatToHalfBits, type Tensor } from '../core/onnx/tensor.js';

function toHalf(tensor: Tensor): Tensor {
  if (tensor.dataType !== DataType.FLOAT) return tensor;
  return { ...tensor, dataType: DataType.FLOAT16, data: Uint16Array.from(tensor.data as Float32Array, floatToHalfBits) };
}

function cast(name: string, input: string, output: string, to: DataType): Node {
  return { name, opType: 'Cast', domain: '', inputs: [input], outputs: [output], attributes: new Map([['to', { type: 'int', value: to }]]) };
}

/**
 * Rewrites a simplified fp32 model (in place) to compute in fp16 (for Jetson Nano/TX2, which lack fast int8): float
 * weights and constants become fp16; the graph's inputs and outputs stay fp32 behind Cast nodes so that callers feed
 * and read the same tensors as with the fp32 model.
 */
export function convertToFp16(model: Model): void {
  const graph = model.graph;
  for (const [name, tensor] of graph.initializers) graph.initializers.set(name, toHalf(tensor));
  for (const node of graph.nodes) {
    for (const [key, attribute] of node.attributes) if (attribute.type === 'tensor') node.attributes.set(key, { type: 'tensor', value: toHalf(attribute.value) });
    if (node.opType === 'Cast' && node.attributes.get('to')?.type === 'int' && (node.attributes.get('to')!.value as number) === DataType.FLOAT) {
      node.attributes.set('to', { type: 'int', value: DataType.FLOAT16 });
    }
  }
  for (const input of graph.inputs.filter((i) => i.elemType === DataType.FLOAT)) {
    const half = uniqueName(graph, `${input.name}_fp16`);
    renameValue(graph, input.name, half);
    graph.nodes.unshift(cast(`${half}_Cast`, input.name, half, DataType.FLOAT16));
  }
  for (const output of graph.outputs.filter((o) => o.elemType === DataType.FLOAT)) {
    const half = uniqueName(graph, `${output.name}_fp16`);
    for (const node of graph.nodes) {
      node.outputs = node.outputs.map((o) => (o === output.name ? half : o));
      node.inputs = node.inputs.map((i) => (i === output.name ? half : i));
    }
    graph.nodes.push(cast(`${output.name}_Cast`, half, output.name, DataType.FLOAT));
  }
  graph.valueInfo.clear();
  graph.nodes = topologicalSort(graph);
}
