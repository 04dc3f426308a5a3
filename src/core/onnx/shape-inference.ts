import { ModelError } from '../errors.js';
import { attrInt, attrInts, attrString, describeNode, topologicalSort, type Graph, type Node } from './graph.js';
import { tensorNumbers } from './tensor.js';

export type Shape = number[];
type ShapeRule = (node: Node, inputs: Shape[], graph: Graph) => Shape;

const sameAsInput: ShapeRule = (_node, [x]) => [...x!];

function broadcast(node: Node, shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    const dims = shapes.map((s) => s[s.length - rank + i] ?? 1);
    const size = Math.max(...dims);
    if (dims.some((d) => d !== 1 && d !== size)) throw new ModelError(`${describeNode(node)}: shapes ${shapes.map((s) => `[${s}]`).join(' and ')} do not broadcast`);
    out.push(size);
  }
  return out;
}

/** Output spatial sizes of a convolution or pooling window, from ONNX's pads/auto_pad/ceil_mode rules. */
export function windowOutput(node: Node, input: Shape, kernel: number[]): number[] {
  const spatial = input.slice(2);
  const strides = attrInts(node, 'strides') ?? spatial.map(() => 1);
  const dilations = attrInts(node, 'dilations') ?? spatial.map(() => 1);
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const pads = attrInts(node, 'pads') ?? new Array<number>(spatial.length * 2).fill(0);
  const ceil = attrInt(node, 'ceil_mode', 0) === 1;
  return spatial.map((size, i) => {
    const stride = strides[i]!;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(size / stride);
    const extent = (kernel[i]! - 1) * dilations[i]! + 1;
    const padded = autoPad === 'VALID' ? size : size + pads[i]! + pads[i + spatial.length]!;
    const steps = (padded - extent) / stride;
    return (ceil ? Math.ceil(steps) : Math.floor(steps)) + 1;
  });
}

function constantInts(graph: Graph, node: Node, index: number): number[] | undefined {
  const name = node.inputs[index];
  if (!name) return undefined;
  const tensor = graph.initializers.get(name);
  if (!tensor) throw new ModelError(`${describeNode(node)}: input ${index} ("${name}") must be a constant for fer-edge quantize`);
  return tensorNumbers(tensor);
}

function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

const RULES: Record<string, ShapeRule> = {
  Conv: (node, [x, w]) => [x![0]!, w![0]!, ...windowOutput(node, x!, w!.slice(2))],
  MaxPool: (node, [x]) => [x![0]!, x![1]!, ...windowOutput(node, x!, attrInts(node, 'kernel_shape')!)],
  AveragePool: (node, [x]) => [x![0]!, x![1]!, ...windowOutput(node, x!, attrInts(node, 'kernel_shape')!)],
  GlobalAveragePool: (_node, [x]) => [x![0]!, x![1]!, ...x!.slice(2).map(() => 1)],
  GlobalMaxPool: (_node, [x]) => [x![0]!, x![1]!, ...x!.slice(2).map(() => 1)],
  BatchNormalization: sameAsInput,
  Relu: sameAsInput,
  LeakyRelu: sameAsInput,
  Clip: sameAsInput,
  Sigmoid: sameAsInput,
  HardSigmoid: sameAsInput,
  HardSwish: sameAsInput,
  Tanh: sameAsInput,
  Softmax: sameAsInput,
  Identity: sameAsInput,
  Dropout: sameAsInput,
  Cast: sameAsInput,
  QuantizeLinear: sameAsInput,
  DequantizeLinear: sameAsInput,
  Add: (node, shapes) => broadcast(node, shapes),
  Sub: (node, shapes) => broadcast(node, shapes),
  Mul: (node, shapes) => broadcast(node, shapes),
  Div: (node, shapes) => broadcast(node, shapes),
  ReduceMean: (node, [x], graph) => {
    const axes = (attrInts(node, 'axes') ?? constantInts(graph, node, 1) ?? x!.map((_, i) => i)).map((a) => normalizeAxis(a, x!.length));
    const keep = attrInt(node, 'keepdims', 1) === 1;
    return x!.flatMap((size, i) => (axes.includes(i) ? (keep ? [1] : []) : [size]));
  },
  Flatten: (node, [x]) => {
    const axis = normalizeAxis(attrInt(node, 'axis', 1), x!.length);
    return [x!.slice(0, axis).reduce((a, b) => a * b, 1), x!.slice(axis).reduce((a, b) => a * b, 1)];
  },
  Reshape: (node, [x], graph) => {
    const target = constantInts(graph, node, 1)!;
    const total = x!.reduce((a, b) => a * b, 1);
    const out = target.map((d, i) => (d === 0 && attrInt(node, 'allowzero', 0) === 0 ? x![i]! : d));
    const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    return out.map((d) => (d === -1 ? total / known : d));
  },
  Gemm: (node, [a, b]) => [attrInt(node, 'transA', 0) ? a![1]! : a![0]!, attrInt(node, 'transB', 0) ? b![0]! : b![1]!],
  MatMul: (node, [a, b]) => {
    if (b!.length !== 2) throw new ModelError(`${describeNode(node)}: only a 2-D right-hand side is supported`);
    return [...a!.slice(0, -1), b![1]!];
  },
  Concat: (node, shapes) => {
    const axis = normalizeAxis(attrInt(node, 'axis', 0), shapes[0]!.length);
    const out = [...shapes[0]!];
    out[axis] = shapes.reduce((sum, s) => sum + s[axis]!, 0);
    return out;
  },
  Transpose: (node, [x]) => {
    const perm = attrInts(node, 'perm') ?? x!.map((_, i) => x!.length - 1 - i);
    return perm.map((p) => x![p]!);
  },
  Pad: (node, [x], graph) => {
    const pads = attrInts(node, 'pads') ?? constantInts(graph, node, 1)!;
    return x!.map((size, i) => size + pads[i]! + pads[i + x!.length]!);
  },
};

export const SHAPE_INFERENCE_OPS: ReadonlySet<string> = new Set(Object.keys(RULES));

/**
 * Static shapes of every value for one batch size (symbolic batch dimensions become `batch`).
 * Throws a ModelError naming the first node whose operator is not one the tool handles.
 */
export function inferShapes(graph: Graph, batch = 1): Map<string, Shape> {
  const shapes = new Map<string, Shape>();
  for (const input of graph.inputs) {
    if (!input.shape) throw new ModelError(`graph input "${input.name}" has no shape`);
    shapes.set(input.name, input.shape.map((d, i) => (typeof d === 'number' && d > 0 ? d : i === 0 ? batch : Number.NaN)));
    if (shapes.get(input.name)!.some(Number.isNaN)) throw new ModelError(`graph input "${input.name}" has a dynamic dimension other than the batch`);
  }
  for (const [name, tensor] of graph.initializers) shapes.set(name, [...tensor.dims]);
  for (const node of topologicalSort(graph)) {
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? RULES[node.opType] : undefined;
    if (!rule) throw new ModelError(`unsupported operator ${node.domain ? node.domain + '.' : ''}${node.opType} (node "${node.name || node.outputs[0]}")`);
    const inputShapes = node.inputs.map((name) => (name ? shapes.get(name) ?? [] : []));
    shapes.set(node.outputs[0]!, rule(node, inputShapes, graph));
  }
  return shapes;
}
