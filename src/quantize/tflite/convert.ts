import { ModelError } from '../../core/errors.js';
import type { CalibrationRange } from '../calibrate/index.js';
import { attrFloat, attrInt, attrInts, attrString, consumers, describeNode, topologicalSort, type Graph, type Model, type Node } from '../../core/onnx/graph.js';
import { inferShapes, type Shape } from '../../core/onnx/shape-inference.js';
import { DataType, tensorNumbers } from '../../core/onnx/tensor.js';
import { quantizeWeightsSymmetric, transpose2d } from '../qdq/quantize-weights.js';
import { asymmetricParams, CLOSED_UNIT_INTERVAL, quantizeBias, RELU6_OUTPUT, UNIT_INTERVAL_OUTPUT, type AffineParams } from './quantize-params.js';
import { samePadding } from '../../core/tflite/same-padding.js';
import { Activation, BuiltinOperator, buildTfliteModel, Padding, TensorType, type OperatorSpec, type TensorSpec } from '../../core/tflite/schema.js';

export interface TfliteConversion {
  bytes: Uint8Array;
  /** The int8 input's and output's quantization (the caller quantizes inputs and dequantizes outputs with these). */
  input: AffineParams;
  output: AffineParams;
  /** The distinct TFLite operators used, by name. */
  operators: string[];
}

/** What follows a Conv or Gemm and is computed inside it. */
type Fusion = { activation: Activation; reader: Node } | { hardSigmoid: { alpha: number; beta: number }; reader: Node };

function bytes(values: Int8Array | Int32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** NCHW -> NHWC for 4-D shapes; others unchanged. */
function nhwc(shape: Shape): Shape {
  return shape.length === 4 ? [shape[0]!, shape[2]!, shape[3]!, shape[1]!] : [...shape];
}

/** ONNX axis of a 4-D NCHW tensor -> the same axis in NHWC. */
const NHWC_AXIS = [0, 3, 1, 2];

function unsupported(node: Node, why: string): ModelError {
  return new ModelError(`the TFLite writer cannot convert ${describeNode(node)}: ${why}`);
}

function clipBounds(graph: Graph, node: Node): [number, number] {
  const bound = (index: number, attr: string, fallback: number): number => {
    const name = node.inputs[index];
    if (name) {
      const tensor = graph.initializers.get(name);
      if (!tensor) throw unsupported(node, `its bound "${name}" is not a constant`);
      return tensorNumbers(tensor)[0]!;
    }
    return attrFloat(node, attr, fallback);
  };
  return [bound(1, 'min', -Infinity), bound(2, 'max', Infinity)];
}

/**
 * Converts a simplified fp32 ONNX graph (BatchNorm folded, topologically sorted) to a full-integer TFLite model:
 * NHWC activations quantized asymmetric per tensor from the calibration ranges, weights symmetric per channel
 * (CONV_2D on axis 0, DEPTHWISE_CONV_2D on axis 3), int32 biases with scale = input scale x weight scale, ReLU/ReLU6
 * fused into the producing Conv or Gemm, a hard-sigmoid after a Conv folded into its weights and saturated by the
 * [0, 1] output range, and hard-swish written as ADD and MUL. Input and output are int8.
 */
export function convertToTflite(model: Model, ranges: ReadonlyMap<string, CalibrationRange>, description = 'fer-edge quantize'): TfliteConversion {
  const graph = model.graph;
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) throw new ModelError('the TFLite writer handles models with one input and one output');
  const shapes = inferShapes(graph, 1);
  const readers = consumers(graph);
  const tensors: TensorSpec[] = [];
  const operators: OperatorSpec[] = [];
  const index = new Map<string, number>();
  const params = new Map<string, AffineParams>();
  const absorbed = new Set<Node>();

  const rangeParams = (name: string): AffineParams => {
    const range = ranges.get(name);
    if (!range) throw new ModelError(`no calibration range for tensor "${name}"`);
    return asymmetricParams(range);
  };
  const activation = (name: string, shape: Shape, quant: AffineParams): number => {
    tensors.push({ name, shape: nhwc(shape), type: TensorType.INT8, quantization: { scale: [quant.scale], zeroPoint: [quant.zeroPoint] } });
    index.set(name, tensors.length - 1);
    params.set(name, quant);
    return tensors.length - 1;
  };
  const constant = (name: string, shape: number[], type: TensorType, data: Uint8Array, quantization?: TensorSpec['quantization']): number => {
    tensors.push({ name, shape, type, data, ...(quantization ? { quantization } : {}) });
    return tensors.length - 1;
  };
  const int32Constant = (name: string, values: number[], shape = [values.length]): number => constant(name, shape, TensorType.INT32, bytes(Int32Array.from(values)));
  const input = (node: Node, i: number): number => {
    const name = node.inputs[i]!;
    const found = index.get(name);
    if (found === undefined) throw unsupported(node, graph.initializers.has(name) ? `input "${name}" is a constant; only activations are supported there` : `input "${name}" is not available`);
    return found;
  };
  const shapeOf = (name: string): Shape => shapes.get(name)!;

  const fusionAfter = (node: Node): Fusion | undefined => {
    const list = readers.get(node.outputs[0]!) ?? [];
    const reader = list[0];
    if (list.length !== 1 || !reader || graph.outputs.some((o) => o.name === node.outputs[0])) return undefined;
    if (reader.opType === 'Relu') return { activation: Activation.RELU, reader };
    if (reader.opType === 'Clip') {
      const [low, high] = clipBounds(graph, reader);
      if (low === 0 && high === 6) return { activation: Activation.RELU6, reader };
    }
    if (reader.opType === 'HardSigmoid' && node.opType === 'Conv') {
      return { hardSigmoid: { alpha: attrFloat(reader, 'alpha', 0.2), beta: attrFloat(reader, 'beta', 0.5) }, reader };
    }
    return undefined;
  };

  /** Where the fused result lands, its quantization, and the activation code. */
  const fusedOutput = (node: Node): { name: string; quant: AffineParams; activation: Activation; hardSigmoid?: { alpha: number; beta: number } } => {
    const fusion = fusionAfter(node);
    if (!fusion) return { name: node.outputs[0]!, quant: rangeParams(node.outputs[0]!), activation: Activation.NONE };
    absorbed.add(fusion.reader);
    const name = fusion.reader.outputs[0]!;
    if ('hardSigmoid' in fusion) return { name, quant: CLOSED_UNIT_INTERVAL, activation: Activation.NONE, hardSigmoid: fusion.hardSigmoid };
    return { name, quant: rangeParams(name), activation: fusion.activation };
  };

  const convPadding = (node: Node, inShape: Shape, kernel: number[], strides: number[]): { padding: Padding; explicit?: number[] } => {
    const autoPad = attrString(node, 'auto_pad', 'NOTSET');
    if (autoPad === 'SAME_UPPER') return { padding: Padding.SAME };
    if (autoPad === 'VALID') return { padding: Padding.VALID };
    const [top, left, bottom, right] = autoPad === 'SAME_LOWER' ? sameLowerPads(inShape, kernel, strides) : (attrInts(node, 'pads') ?? [0, 0, 0, 0]);
    if (top === 0 && left === 0 && bottom === 0 && right === 0) return { padding: Padding.VALID };
    const same = [0, 1].map((d) => samePadding(inShape[2 + d]!, kernel[d]!, strides[d]!));
    if (same[0]![0] === top && same[0]![1] === bottom && same[1]![0] === left && same[1]![1] === right) return { padding: Padding.SAME };
    return { padding: Padding.VALID, explicit: [top!, left!, bottom!, right!] };
  };

  const graphInput = graph.inputs[0]!;
  if (graphInput.elemType !== DataType.FLOAT) throw new ModelError(`graph input "${graphInput.name}" is not float32`);
  const inputIndex = activation(graphInput.name, shapeOf(graphInput.name), rangeParams(graphInput.name));

  for (const node of topologicalSort(graph)) {
    if (absorbed.has(node)) continue;
    if (node.domain !== '' && node.domain !== 'ai.onnx') throw unsupported(node, 'custom domain');
    const out = node.outputs[0]!;
    switch (node.opType) {
      case 'Conv': {
        const weight = graph.initializers.get(node.inputs[1]!);
        if (!weight || weight.dataType !== DataType.FLOAT) throw unsupported(node, 'weights must be a float constant');
        if ((attrInts(node, 'dilations') ?? [1, 1]).some((d) => d !== 1)) throw unsupported(node, 'dilated convolution');
        const inShape = shapeOf(node.inputs[0]!);
        const [outChannels, perGroup, kh, kw] = weight.dims as [number, number, number, number];
        const inChannels = inShape[1]!;
        const group = attrInt(node, 'group', 1);
        const depthwise = group > 1 && group === inChannels && perGroup === 1;
        if (group !== 1 && !depthwise) throw unsupported(node, `grouped convolution (group ${group}) that is neither plain nor depthwise`);
        const strides = attrInts(node, 'strides') ?? [1, 1];
        const { padding, explicit } = convPadding(node, inShape, [kh, kw], strides);
        const fused = fusedOutput(node);
        let weights = weight.data as Float32Array;
        let bias = node.inputs[2] ? (graph.initializers.get(node.inputs[2])?.data as Float32Array | undefined) : undefined;
        if (fused.hardSigmoid) {
          const { alpha, beta } = fused.hardSigmoid;
          weights = weights.map((w) => w * alpha);
          bias = Float32Array.from({ length: outChannels }, (_, c) => (bias?.[c] ?? 0) * alpha + beta);
        }
        let source = input(node, 0);
        if (explicit) {
          const [top, left, bottom, right] = explicit as [number, number, number, number];
          const paddedShape = [inShape[0]!, inShape[1]!, inShape[2]! + top + bottom, inShape[3]! + left + right];
          const paddings = int32Constant(`${out}_paddings`, [0, 0, top, bottom, left, right, 0, 0], [4, 2]);
          const padded = activation(`${out}_padded`, paddedShape, params.get(node.inputs[0]!)!);
          operators.push({ op: BuiltinOperator.PAD, inputs: [source, paddings], outputs: [padded], options: { kind: 'PadOptions' } });
          source = padded;
        }
        const { values, scales } = quantizeWeightsSymmetric(weights, outChannels);
        const spatial = kh * kw;
        const reordered = new Int8Array(values.length);
        if (depthwise) {
          // [M, 1, kh, kw] -> [1, kh, kw, M]
          for (let m = 0; m < outChannels; m++) for (let p = 0; p < spatial; p++) reordered[p * outChannels + m] = values[m * spatial + p]!;
        } else {
          // OIHW -> OHWI
          for (let o = 0; o < outChannels; o++)
            for (let i = 0; i < perGroup; i++) for (let p = 0; p < spatial; p++) reordered[(o * spatial + p) * perGroup + i] = values[(o * perGroup + i) * spatial + p]!;
        }
        const weightIndex = constant(`${node.inputs[1]}_int8`, depthwise ? [1, kh, kw, outChannels] : [outChannels, kh, kw, perGroup], TensorType.INT8, bytes(reordered), {
          scale: Array.from(scales),
          zeroPoint: new Array<number>(outChannels).fill(0),
          quantizedDimension: depthwise ? 3 : 0,
        });
        const inputScale = params.get(node.inputs[0]!)!.scale;
        const quantizedBias = quantizeBias(bias, outChannels, inputScale, scales);
        const biasIndex = constant(`${out}_bias_int32`, [outChannels], TensorType.INT32, bytes(quantizedBias.values), {
          scale: quantizedBias.scales,
          zeroPoint: new Array<number>(outChannels).fill(0),
        });
        const outputIndex = activation(fused.name, shapeOf(out), fused.quant);
        const common = { padding, strideW: strides[1]!, strideH: strides[0]!, activation: fused.activation };
        operators.push(
          depthwise
            ? { op: BuiltinOperator.DEPTHWISE_CONV_2D, inputs: [source, weightIndex, biasIndex], outputs: [outputIndex], options: { kind: 'DepthwiseConv2DOptions', ...common, depthMultiplier: outChannels / inChannels } }
            : { op: BuiltinOperator.CONV_2D, inputs: [source, weightIndex, biasIndex], outputs: [outputIndex], options: { kind: 'Conv2DOptions', ...common } },
        );
        break;
      }
      case 'Gemm': {
        const weight = graph.initializers.get(node.inputs[1]!);
        if (!weight || weight.dataType !== DataType.FLOAT) throw unsupported(node, 'weights must be a float constant');
        if (attrInt(node, 'transA', 0) !== 0 || attrFloat(node, 'alpha', 1) !== 1 || attrFloat(node, 'beta', 1) !== 1) throw unsupported(node, 'transA, alpha or beta other than the defaults');
        const matrix = attrInt(node, 'transB', 0) === 1 ? (weight.data as Float32Array) : transpose2d(weight);
        const [units, depth] = attrInt(node, 'transB', 0) === 1 ? weight.dims : [weight.dims[1]!, weight.dims[0]!];
        const bias = node.inputs[2] ? (graph.initializers.get(node.inputs[2])?.data as Float32Array | undefined) : undefined;
        if (node.inputs[2] && (!bias || bias.length !== units)) throw unsupported(node, 'bias must be a constant vector of the output size');
        const fused = fusedOutput(node);
        // Per-tensor weights: what the TFLite converter writes for FULLY_CONNECTED and what the Edge TPU takes.
        const { values, scales } = quantizeWeightsSymmetric(matrix, 1);
        const weightIndex = constant(`${node.inputs[1]}_int8`, [units!, depth!], TensorType.INT8, bytes(values), { scale: [scales[0]!], zeroPoint: [0] });
        const quantizedBias = quantizeBias(bias, units!, params.get(node.inputs[0]!)!.scale, scales);
        const biasIndex = constant(`${out}_bias_int32`, [units!], TensorType.INT32, bytes(quantizedBias.values), { scale: [quantizedBias.scales[0]!], zeroPoint: [0] });
        const outputIndex = activation(fused.name, shapeOf(out), fused.quant);
        operators.push({ op: BuiltinOperator.FULLY_CONNECTED, inputs: [input(node, 0), weightIndex, biasIndex], outputs: [outputIndex], options: { kind: 'FullyConnectedOptions', activation: fused.activation } });
        break;
      }
      case 'Relu':
        operators.push({ op: BuiltinOperator.RELU, inputs: [input(node, 0)], outputs: [activation(out, shapeOf(out), rangeParams(out))] });
        break;
      case 'Clip': {
        const [low, high] = clipBounds(graph, node);
        if (low !== 0 || high !== 6) throw unsupported(node, `Clip(${low}, ${high}) is neither ReLU nor ReLU6`);
        operators.push({ op: BuiltinOperator.RELU6, inputs: [input(node, 0)], outputs: [activation(out, shapeOf(out), rangeParams(out))] });
        break;
      }
      case 'HardSwish': {
        // x * relu6(x + 3) / 6 as ADD (ReLU6 fused) and two MULs rather than HARD_SWISH: int8 HARD_SWISH has no
        // XNNPACK kernel in tfjs-tflite-node's TFLite and no Edge TPU mapping, so each one split the graph there
        const x = input(node, 0);
        const shape = shapeOf(out);
        const scalar = (name: string, value: number): number =>
          constant(name, shape.map(() => 1), TensorType.INT8, bytes(Int8Array.of(127)), { scale: [value / 127], zeroPoint: [0] });
        const shifted = activation(`${out}_relu6_plus_3`, shape, RELU6_OUTPUT);
        operators.push({ op: BuiltinOperator.ADD, inputs: [x, scalar(`${out}_three`, 3)], outputs: [shifted], options: { kind: 'AddOptions', activation: Activation.RELU6 } });
        const gate = activation(`${out}_hard_sigmoid`, shape, CLOSED_UNIT_INTERVAL);
        operators.push({ op: BuiltinOperator.MUL, inputs: [shifted, scalar(`${out}_sixth`, 1 / 6)], outputs: [gate], options: { kind: 'MulOptions', activation: Activation.NONE } });
        operators.push({ op: BuiltinOperator.MUL, inputs: [x, gate], outputs: [activation(out, shape, rangeParams(out))], options: { kind: 'MulOptions', activation: Activation.NONE } });
        break;
      }
      case 'Sigmoid':
        operators.push({ op: BuiltinOperator.LOGISTIC, inputs: [input(node, 0)], outputs: [activation(out, shapeOf(out), UNIT_INTERVAL_OUTPUT)] });
        break;
      case 'Add':
      case 'Mul': {
        const inputs = [input(node, 0), input(node, 1)];
        const shapesIn = node.inputs.map(shapeOf);
        if (shapesIn.some((s) => s.length !== shapeOf(out).length)) throw unsupported(node, 'inputs of different ranks');
        const op = node.opType === 'Add' ? BuiltinOperator.ADD : BuiltinOperator.MUL;
        const kind = node.opType === 'Add' ? ('AddOptions' as const) : ('MulOptions' as const);
        operators.push({ op, inputs, outputs: [activation(out, shapeOf(out), rangeParams(out))], options: { kind, activation: Activation.NONE } });
        break;
      }
      case 'GlobalAveragePool':
      case 'ReduceMean': {
        const inShape = shapeOf(node.inputs[0]!);
        if (inShape.length !== 4) throw unsupported(node, 'only 4-D inputs');
        const axes = node.opType === 'GlobalAveragePool' ? [2, 3] : (attrInts(node, 'axes') ?? (node.inputs[1] ? tensorNumbers(graph.initializers.get(node.inputs[1])!) : [0, 1, 2, 3]));
        const keepDims = node.opType === 'GlobalAveragePool' || attrInt(node, 'keepdims', 1) === 1;
        if (!keepDims && shapeOf(out).length > 2) throw unsupported(node, 'keepdims=0 leaving a 3-D result');
        const axesIndex = int32Constant(`${out}_axes`, axes.map((a) => NHWC_AXIS[a < 0 ? a + 4 : a]!).sort());
        operators.push({ op: BuiltinOperator.MEAN, inputs: [input(node, 0), axesIndex], outputs: [activation(out, shapeOf(out), rangeParams(out))], options: { kind: 'ReducerOptions', keepDims } });
        break;
      }
      case 'MaxPool':
      case 'AveragePool': {
        const kernel = attrInts(node, 'kernel_shape')!;
        const strides = attrInts(node, 'strides') ?? [1, 1];
        if (attrInt(node, 'ceil_mode', 0) !== 0) throw unsupported(node, 'ceil_mode');
        const { padding, explicit } = convPadding(node, shapeOf(node.inputs[0]!), kernel, strides);
        if (explicit) throw unsupported(node, `padding [${explicit}] is neither SAME nor VALID`);
        if (node.opType === 'AveragePool' && padding === Padding.SAME && attrInt(node, 'count_include_pad', 0) === 1) throw unsupported(node, 'count_include_pad');
        const op = node.opType === 'MaxPool' ? BuiltinOperator.MAX_POOL_2D : BuiltinOperator.AVERAGE_POOL_2D;
        // int8 pooling kernels keep the input's quantization.
        const outputIndex = activation(out, shapeOf(out), params.get(node.inputs[0]!)!);
        operators.push({ op, inputs: [input(node, 0)], outputs: [outputIndex], options: { kind: 'Pool2DOptions', padding, strideW: strides[1]!, strideH: strides[0]!, filterW: kernel[1]!, filterH: kernel[0]!, activation: Activation.NONE } });
        break;
      }
      case 'Flatten':
      case 'Reshape': {
        const inShape = shapeOf(node.inputs[0]!);
        const outShape = shapeOf(out);
        const layoutFree = inShape.length <= 2 || (inShape.length === 4 && (inShape[1] === 1 || (inShape[2] === 1 && inShape[3] === 1)));
        if (!layoutFree || outShape.length > 2) throw unsupported(node, `reshaping [${inShape}] to [${outShape}] depends on the NCHW layout`);
        const shapeIndex = int32Constant(`${out}_shape`, outShape);
        operators.push({ op: BuiltinOperator.RESHAPE, inputs: [input(node, 0), shapeIndex], outputs: [activation(out, outShape, params.get(node.inputs[0]!)!)], options: { kind: 'ReshapeOptions', newShape: outShape } });
        break;
      }
      case 'Softmax': {
        const rank = shapeOf(out).length;
        const axis = attrInt(node, 'axis', -1);
        if (rank !== 2 || (axis !== -1 && axis !== 1)) throw unsupported(node, 'only softmax over the last axis of a 2-D tensor');
        operators.push({ op: BuiltinOperator.SOFTMAX, inputs: [input(node, 0)], outputs: [activation(out, shapeOf(out), UNIT_INTERVAL_OUTPUT)], options: { kind: 'SoftmaxOptions', beta: 1 } });
        break;
      }
      default:
        throw unsupported(node, 'no TFLite mapping for this operator');
    }
  }
  const outputName = graph.outputs[0]!.name;
  const outputIndex = index.get(outputName);
  if (outputIndex === undefined) throw new ModelError(`graph output "${outputName}" was not produced by the TFLite conversion`);
  const bytesOut = buildTfliteModel({ description, tensors, operators, inputs: [inputIndex], outputs: [outputIndex] });
  return {
    bytes: bytesOut,
    input: params.get(graphInput.name)!,
    output: params.get(outputName)!,
    operators: [...new Set(operators.map((o) => BuiltinOperator[o.op]))],
  };
}

function sameLowerPads(inShape: Shape, kernel: number[], strides: number[]): number[] {
  const [[top, bottom], [left, right]] = [0, 1].map((d) => samePadding(inShape[2 + d]!, kernel[d]!, strides[d]!)) as [[number, number], [number, number]];
  return [bottom, right, top, left];
}
