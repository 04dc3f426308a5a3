import { attrFloat, attrInt, consumers, producers, removeDeadNodes, type Graph } from '../../core/onnx/graph.js';
import { DataType, floatTensor, type Tensor } from '../../core/onnx/tensor.js';

function floats(tensor: Tensor | undefined): Float32Array | undefined {
  return tensor?.dataType === DataType.FLOAT ? (tensor.data as Float32Array) : undefined;
}

/**
 * Folds each inference-mode BatchNormalization that directly follows a Conv or a Gemm (and is its only reader) into its
 * weights and bias, per output channel: w' = w * g / sqrt(v + eps), b' = (b - m) * g / sqrt(v + eps) + beta.
 * Returns how many were folded.
 */
export function foldBatchNorm(graph: Graph): number {
  const producerOf = producers(graph);
  const readers = consumers(graph);
  let folded = 0;
  for (const bn of graph.nodes.filter((n) => n.opType === 'BatchNormalization')) {
    const conv = producerOf.get(bn.inputs[0]!);
    const isGemm = conv?.opType === 'Gemm';
    if (!conv || (conv.opType !== 'Conv' && !(isGemm && attrInt(conv, 'transA', 0) === 0 && attrFloat(conv, 'alpha', 1) === 1 && attrFloat(conv, 'beta', 1) === 1)) || readers.get(conv.outputs[0]!)?.length !== 1 || bn.outputs.length !== 1) continue;
    const [gamma, beta, mean, variance] = bn.inputs.slice(1, 5).map((name) => floats(graph.initializers.get(name)));
    const weight = graph.initializers.get(conv.inputs[1]!);
    const weights = floats(weight);
    if (!gamma || !beta || !mean || !variance || !weight || !weights) continue;
    const epsilon = attrFloat(bn, 'epsilon', 1e-5);
    // Output channels are rows, except in a Gemm that does not transpose its weights ([in, out]).
    const outputOnColumns = isGemm && attrInt(conv, 'transB', 0) === 0;
    const channels = outputOnColumns ? weight.dims[1]! : weight.dims[0]!;
    const perChannel = weights.length / channels;
    const at = (c: number, i: number): number => (outputOnColumns ? i * channels + c : c * perChannel + i);
    const oldBias = conv.inputs[2] ? floats(graph.initializers.get(conv.inputs[2])) : undefined;
    const newWeights = new Float32Array(weights.length);
    const newBias = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const factor = gamma[c]! / Math.sqrt(variance[c]! + epsilon);
      for (let i = 0; i < perChannel; i++) newWeights[at(c, i)] = weights[at(c, i)]! * factor;
      newBias[c] = ((oldBias?.[c] ?? 0) - mean[c]!) * factor + beta[c]!;
    }
    const weightName = `${conv.inputs[1]}_bnfolded`;
    const biasName = `${conv.inputs[1]}_bnfolded_bias`;
    graph.initializers.set(weightName, floatTensor(weightName, [...weight.dims], newWeights));
    graph.initializers.set(biasName, floatTensor(biasName, [channels], newBias));
    conv.inputs = [conv.inputs[0]!, weightName, biasName];
    conv.outputs = [bn.outputs[0]!];
    bn.outputs = [];
    folded++;
  }
  if (folded > 0) {
    graph.nodes = graph.nodes.filter((n) => n.outputs.length > 0);
    removeDeadNodes(graph);
  }
  return folded;
}
