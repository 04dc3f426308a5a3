import { foldBatchNorm } from './fold-batchnorm.js';
import { removeDeadNodes, renameValue, topologicalSort, type Graph } from '../../core/onnx/graph.js';

const PASS_THROUGH = new Set(['Identity', 'Dropout']);

/** Removes inference no-ops (Identity, Dropout) by wiring their readers to their input. */
export function removePassThrough(graph: Graph): number {
  const passThrough = graph.nodes.filter((n) => PASS_THROUGH.has(n.opType) && n.inputs[0]);
  for (const node of passThrough) {
    const output = node.outputs[0]!;
    const input = node.inputs[0]!;
    if (graph.outputs.some((o) => o.name === output)) {
      // Keep the graph output's name: rename the producer's output instead.
      for (const other of graph.nodes) other.outputs = other.outputs.map((o) => (o === input ? output : o));
      for (const other of graph.nodes) if (other !== node) other.inputs = other.inputs.map((i) => (i === input ? output : i));
    } else {
      renameValue(graph, output, input);
    }
    node.outputs = [];
  }
  graph.nodes = graph.nodes.filter((n) => n.outputs.length > 0);
  return passThrough.length;
}

/** Gives every unnamed node a unique name (`<op>_<first output>`), so reports and `--exclude` can refer to it. */
export function nameNodes(graph: Graph): void {
  const taken = new Set(graph.nodes.map((n) => n.name).filter(Boolean));
  for (const node of graph.nodes) {
    if (node.name) continue;
    let name = `${node.opType}_${node.outputs[0]}`;
    for (let i = 1; taken.has(name); i++) name = `${node.opType}_${node.outputs[0]}_${i}`;
    node.name = name;
    taken.add(name);
  }
}

/**
 * The clean-up every writer starts from: no-ops removed, BatchNorm folded, dead nodes dropped, every node named, nodes in
 * topological order.
 */
export function simplifyGraph(graph: Graph): { foldedBatchNorms: number; removedNoOps: number } {
  nameNodes(graph);
  const removedNoOps = removePassThrough(graph);
  const foldedBatchNorms = foldBatchNorm(graph);
  removeDeadNodes(graph);
  graph.nodes = topologicalSort(graph);
  return { foldedBatchNorms, removedNoOps };
}
