import type { CalibrationRange } from '../calibrate/index.js';
import { uniqueName, type Graph, type Node } from '../../core/onnx/graph.js';
import { floatTensor } from '../../core/onnx/tensor.js';

function op(name: string, opType: string, inputs: string[], outputs: string[]): Node {
  return { name, opType, domain: '', inputs, outputs, attributes: new Map() };
}

/**
 * Rewrites each HardSwish, y = x * relu6(x + 3) / 6, as Add(x, 3) -> Mul(., 1/6) -> Mul(x, .), for a graph whose
 * every activation is then quantized (the CPU-flavour QDQ writer): the relu6 and the [0, 1] clamp of the gate are done
 * by the quantized ranges of the two new values, [0, 6] and [0, 1], so ONNX Runtime runs hard-swish as QLinearAdd and
 * two QLinearMul instead of dequantizing, computing in float and quantizing again. Returns the ranges of the new
 * values (fixed: they do not depend on calibration); y keeps its name and its calibrated range.
 */
export function hardSwishAsAddMul(graph: Graph): Map<string, CalibrationRange> {
  const ranges = new Map<string, CalibrationRange>();
  const rewritten: Node[] = [];
  for (const node of graph.nodes) {
    if (node.opType !== 'HardSwish') {
      rewritten.push(node);
      continue;
    }
    const [x, y] = [node.inputs[0]!, node.outputs[0]!];
    const three = uniqueName(graph, `${y}_three`);
    graph.initializers.set(three, floatTensor(three, [1], Float32Array.of(3)));
    const sixth = uniqueName(graph, `${y}_one_sixth`);
    graph.initializers.set(sixth, floatTensor(sixth, [1], Float32Array.of(1 / 6)));
    const shifted = uniqueName(graph, `${y}_relu6_plus_3`);
    const gate = uniqueName(graph, `${y}_hard_sigmoid`);
    rewritten.push(op(`${node.name}_add`, 'Add', [x, three], [shifted]), op(`${node.name}_gate`, 'Mul', [shifted, sixth], [gate]), op(node.name, 'Mul', [x, gate], [y]));
    ranges.set(shifted, { threshold: 6, low: 0, high: 6 });
    ranges.set(gate, { threshold: 1, low: 0, high: 1 });
  }
  graph.nodes = rewritten;
  return ranges;
}
