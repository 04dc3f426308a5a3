import { attrInt, attrInts, type Graph } from '../../core/onnx/graph.js';
import { inferShapes } from '../../core/onnx/shape-inference.js';
import { tensorNumbers } from '../../core/onnx/tensor.js';

/**
 * Rewrites ReduceMean over H and W with keepdims (the squeeze of PyTorch's squeeze-excite, `x.mean((2, 3), keepdim=True)`)
 * of a 4-D NCHW tensor into the equivalent GlobalAveragePool, which ONNX Runtime runs as QLinearGlobalAveragePool in a
 * QDQ graph; ReduceMean has no quantized kernel. Returns how many nodes it rewrote.
 */
export function squeezeToGlobalAveragePool(graph: Graph): number {
  const shapes = inferShapes(graph);
  let rewritten = 0;
  for (const node of graph.nodes) {
    if (node.opType !== 'ReduceMean' || attrInt(node, 'keepdims', 1) !== 1) continue;
    const rank = shapes.get(node.inputs[0]!)?.length;
    const axesInput = node.inputs[1] ? graph.initializers.get(node.inputs[1]) : undefined;
    const axes = attrInts(node, 'axes') ?? (axesInput ? tensorNumbers(axesInput) : undefined);
    if (rank !== 4 || !axes) continue;
    const normalized = axes.map((a) => (a < 0 ? a + rank : a)).sort();
    if (normalized.length !== 2 || normalized[0] !== 2 || normalized[1] !== 3) continue;
    node.opType = 'GlobalAveragePool';
    node.inputs = [node.inputs[0]!];
    node.attributes.clear();
    rewritten++;
  }
  return rewritten;
}
