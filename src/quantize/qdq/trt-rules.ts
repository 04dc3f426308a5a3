import { attrInt, defaultOpset, producers, type Graph, type Model, type Node } from '../../core/onnx/graph.js';
import { DataType, tensorNumbers, type Tensor } from '../../core/onnx/tensor.js';
import { FLOAT_NODES_METADATA_KEY, QDQ_OPSET } from './write-qdq.js';

export type TrtRule =
  | 'opset'
  | 'qdq-on-inputs'
  | 'residual-add-qdq'
  | 'symmetric-zero-point'
  | 'int8-only'
  | 'activation-per-tensor'
  | 'weight-per-channel-axis-0'
  | 'weight-range';

export interface TrtViolation {
  node: string;
  op: string;
  rule: TrtRule;
  message: string;
}

function violation(node: Node, rule: TrtRule, detail: string): TrtViolation {
  const name = node.name || node.outputs[0] || '?';
  return { node: name, op: node.opType, rule, message: `${node.opType} node "${name}" breaks rule ${rule}: ${detail}` };
}

function checkZeroPoint(graph: Graph, node: Node): TrtViolation | undefined {
  const zeroName = node.inputs[2];
  if (!zeroName && node.opType === 'QuantizeLinear') return violation(node, 'int8-only', 'no zero point, so it quantizes to uint8; TensorRT takes int8 only');
  const zero = zeroName ? graph.initializers.get(zeroName) : undefined;
  if (zeroName && !zero) return violation(node, 'symmetric-zero-point', `zero point "${zeroName}" is not a constant`);
  if (zero && zero.dataType !== DataType.INT8) return violation(node, 'int8-only', `zero point "${zeroName}" is ${DataType[zero.dataType]}, TensorRT takes int8 only`);
  if (zero && tensorNumbers(zero).some((v) => v !== 0)) return violation(node, 'symmetric-zero-point', `zero point "${zeroName}" is not 0`);
  return undefined;
}

function checkWeightDq(graph: Graph, node: Node, weights: Tensor): TrtViolation | undefined {
  if (weights.dataType !== DataType.INT8) return violation(node, 'int8-only', `weights "${weights.name}" are ${DataType[weights.dataType]}`);
  const outside = tensorNumbers(weights).find((v) => v < -127 || v > 127);
  if (outside !== undefined) return violation(node, 'weight-range', `weights "${weights.name}" hold ${outside}, outside [-127, 127]`);
  const scale = graph.initializers.get(node.inputs[1]!);
  const scaleCount = scale ? scale.data.length : 0;
  if (scale && scale.dims.length > 0 && scaleCount > 1) {
    const axis = attrInt(node, 'axis', 1);
    if (axis !== 0) return violation(node, 'weight-per-channel-axis-0', `per-channel scales on axis ${axis}, not 0`);
    if (scaleCount !== weights.dims[0]) return violation(node, 'weight-per-channel-axis-0', `${scaleCount} scales for ${weights.dims[0]} output channels`);
  }
  return undefined;
}

function checkActivationScale(graph: Graph, node: Node): TrtViolation | undefined {
  const scale = graph.initializers.get(node.inputs[1]!);
  if (!scale) return violation(node, 'activation-per-tensor', `scale "${node.inputs[1]}" is not a constant`);
  if (scale.data.length !== 1) return violation(node, 'activation-per-tensor', `${scale.data.length} scales on an activation; TensorRT wants one per tensor`);
  return undefined;
}

/**
 * Checks a model against the explicit-quantization rules of ../shared/docs/DESIGN.md (TensorRT's QDQ placement):
 * opset >= 13; Q/DQ symmetric int8 with zero point 0; activations per tensor; weights per output channel (axis 0) in
 * [-127, 127]; Conv/Gemm/MatMul fed by DequantizeLinear on data and weights; residual Add fed by DequantizeLinear on
 * both inputs. Nodes listed in the model's `fer-edge.float_nodes` metadata were deliberately kept in float and are
 * skipped. Returns every violation in graph order (the first is the one to report).
 */
export function checkTensorRtRules(model: Model): TrtViolation[] {
  const graph = model.graph;
  const violations: TrtViolation[] = [];
  const opset = defaultOpset(model);
  if (opset < QDQ_OPSET) {
    violations.push({ node: '(model)', op: '-', rule: 'opset', message: `model imports opset ${opset}; QDQ for TensorRT needs opset >= ${QDQ_OPSET}` });
  }
  const floatNodes = new Set((model.metadata.get(FLOAT_NODES_METADATA_KEY) ?? '').split(',').filter(Boolean));
  const producerOf = producers(graph);
  const fromDq = (name: string | undefined): boolean => !!name && producerOf.get(name)?.opType === 'DequantizeLinear';
  for (const node of graph.nodes) {
    if (floatNodes.has(node.name)) continue;
    let found: TrtViolation | undefined;
    if (node.opType === 'QuantizeLinear' || node.opType === 'DequantizeLinear') {
      found = checkZeroPoint(graph, node);
      const constantInput = graph.initializers.get(node.inputs[0]!);
      if (!found && node.opType === 'DequantizeLinear' && constantInput) found = checkWeightDq(graph, node, constantInput);
      else if (!found) found = checkActivationScale(graph, node);
    } else if (node.opType === 'Conv' || node.opType === 'Gemm' || node.opType === 'MatMul') {
      const missing = [0, 1].find((i) => !fromDq(node.inputs[i]));
      if (missing !== undefined) found = violation(node, 'qdq-on-inputs', `input ${missing} ("${node.inputs[missing]}") does not come from DequantizeLinear`);
    } else if (node.opType === 'Add' && node.inputs.every((input) => !graph.initializers.has(input))) {
      const missing = node.inputs.findIndex((input) => !fromDq(input));
      if (missing >= 0) found = violation(node, 'residual-add-qdq', `input ${missing} ("${node.inputs[missing]}") does not come from DequantizeLinear`);
    }
    if (found) violations.push(found);
  }
  return violations;
}
