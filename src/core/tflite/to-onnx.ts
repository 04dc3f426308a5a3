import { ModelError } from '../errors.js';
import type { Model } from '../onnx/graph.js';
import { encodeModel } from '../onnx/proto.js';
import { DataType } from '../onnx/tensor.js';
import { attribute, type Layout, OnnxGraphBuilder, TO_NCHW, unsupported } from './onnx-graph-builder.js';
import { readTfliteModel, type TfliteModel, type TfliteOperator, type TfliteOptions } from './read-model.js';
import { samePadding } from './same-padding.js';

/**
 * TFLite -> ONNX (opset 17) for float models: fp32 activations, weights fp32, fp16 or int8 behind a DEQUANTIZE (folded
 * here into fp32 initializers). The ONNX model takes and gives the same tensors as the TFLite one: same names, shapes
 * and NHWC layout. Inside, 4-D activations run NCHW, ONNX's layout for Conv and pooling: the input is transposed
 * once, weights are permuted at conversion time, and a Transpose back is placed only where an op whose meaning
 * depends on the layout (RESHAPE) or a graph output reads a 4-D tensor. Written to run MediaPipe's BlazeFace on
 * ONNX Runtime; the operators it covers are those of OPERATORS below.
 */
const OPSET = 17;
const IR_VERSION = 8;
const VALID = 1; // Padding in schema.fbs: SAME = 0, VALID = 1

type Convert = (b: OnnxGraphBuilder, op: TfliteOperator) => void;

function optionsOf(op: TfliteOperator): TfliteOptions {
  if (!op.options) throw unsupported(op, 'has no builtin options');
  return op.options;
}

/** Conv and pooling attributes; TFLite's SAME becomes explicit pads (the odd pixel at the bottom/right). */
function windowAttributes(inShape: number[], kernel: [number, number], o: TfliteOptions, slots: { padding: number; strideW: number; strideH: number }, dilation: [number, number] = [1, 1]) {
  const strides = [o.int32(slots.strideH), o.int32(slots.strideW)];
  const valid = o.int8(slots.padding) === VALID;
  const [[top, bottom], [left, right]] = [0, 1].map((d) => (valid ? [0, 0] : samePadding(inShape[1 + d]!, kernel[d]!, strides[d]!, dilation[d]))) as [number[], number[]];
  return {
    kernel_shape: attribute.ints(kernel),
    strides: attribute.ints(strides),
    pads: attribute.ints([top!, left!, bottom!, right!]),
    ...(dilation[0] !== 1 || dilation[1] !== 1 ? { dilations: attribute.ints(dilation) } : {}),
  };
}

/** CONV_2D (weights OHWI) and DEPTHWISE_CONV_2D (weights 1HW(C x multiplier)) as an ONNX Conv (OIHW). */
function convolution(depthwise: boolean): Convert {
  // Conv2DOptions { padding, stride_w, stride_h, fused_activation_function, dilation_w_factor, dilation_h_factor };
  // DepthwiseConv2DOptions has depth_multiplier before the activation.
  const slots = depthwise ? { padding: 0, strideW: 1, strideH: 2, activation: 4, dilationW: 5, dilationH: 6 } : { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 };
  return (b, op) => {
    const o = optionsOf(op);
    const [x, w, bias] = op.inputs as [number, number, number | undefined];
    const inShape = b.tensor(x).shape;
    const [, kernelH, kernelW, weightChannels] = b.tensor(w).shape as [number, number, number, number];
    const channels = inShape[3]!;
    if (!depthwise && channels % weightChannels !== 0) throw unsupported(op, `has ${weightChannels}-channel filters for a ${channels}-channel input`);
    const dilation: [number, number] = [o.int32(slots.dilationH, 1), o.int32(slots.dilationW, 1)];
    const weights = b.permuted(w, depthwise ? [3, 0, 1, 2] : TO_NCHW);
    const inputs = [b.value(x, 'nchw'), weights, ...(bias !== undefined && bias >= 0 ? [b.value(bias, 'tflite')] : [])];
    const attributes = { ...windowAttributes(inShape, [kernelH, kernelW], o, slots, dilation), group: attribute.int(depthwise ? channels : channels / weightChannels) };
    b.emit(op, 'Conv', inputs, attributes, 'nchw', o.int8(slots.activation));
  };
}

/** Pool2DOptions { padding, stride_w, stride_h, filter_width, filter_height, fused_activation_function }. */
function pooling(opType: 'MaxPool' | 'AveragePool'): Convert {
  // AveragePool's count_include_pad stays 0: TFLite averages over the pixels inside the image too.
  return (b, op) => {
    const o = optionsOf(op);
    const x = op.inputs[0]!;
    const attributes = windowAttributes(b.tensor(x).shape, [o.int32(4), o.int32(3)], o, { padding: 0, strideW: 1, strideH: 2 });
    b.emit(op, opType, [b.value(x, 'nchw')], attributes, 'nchw', o.int8(5));
  };
}

/** ADD, MUL ...: NCHW when the result is 4-D; options { fused_activation_function }. */
function elementwise(opType: string): Convert {
  return (b, op) => {
    const layout: Layout = b.tensor(op.outputs[0]).shape.length === 4 ? 'nchw' : 'tflite';
    const inputs = op.inputs.map((index) => {
      if (layout === 'nchw' && !b.isConstant(index) && b.tensor(index).shape.length !== 4) throw unsupported(op, 'broadcasts a computed tensor of lower rank against a 4-D one');
      return b.value(index, layout);
    });
    b.emit(op, opType, inputs, {}, layout, op.options?.int8(0) ?? 0);
  };
}

/** RELU, LOGISTIC ...: in whichever layout the input already is. */
function unary(opType: string, clip?: [number, number]): Convert {
  return (b, op) => {
    const x = op.inputs[0]!;
    const layout = b.layoutOf(x);
    b.activation(opType, clip, b.value(x, layout), b.define(op.outputs[0]!, layout));
  };
}

/** PAD and PADV2: paddings [rank, 2] (before, after per axis), reordered for NCHW; PADV2's third input is the value. */
const pad: Convert = (b, op) => {
  const [x, paddings, value] = op.inputs as [number, number, number | undefined];
  const rank = b.tensor(x).shape.length;
  const layout: Layout = rank === 4 ? 'nchw' : 'tflite';
  const pairs = b.ints(paddings);
  const axes = layout === 'nchw' ? TO_NCHW : [...Array(rank).keys()];
  const pads = [...axes.map((axis) => pairs[2 * axis]!), ...axes.map((axis) => pairs[2 * axis + 1]!)];
  const constant = value !== undefined && value >= 0 ? [b.scalar(b.floats(value)[0] ?? 0)] : [];
  b.emit(op, 'Pad', [b.value(x, layout), b.int64s(`${b.tensor(x).name}/pads`, pads), ...constant], {}, layout);
};

/** RESHAPE, in TFLite's layout: the new shape from the second input when constant, else ReshapeOptions { new_shape }. */
const reshape: Convert = (b, op) => {
  const [x, shapeInput] = op.inputs as [number, number | undefined];
  const output = b.tensor(op.outputs[0]);
  const fromInput = shapeInput !== undefined && shapeInput >= 0 && b.isConstant(shapeInput) ? b.ints(shapeInput) : [];
  const fromOptions = op.options?.int32s(0) ?? [];
  const shape = fromInput.length > 0 ? fromInput : fromOptions.length > 0 ? fromOptions : output.shape;
  b.emit(op, 'Reshape', [b.value(x, 'tflite'), b.int64s(`${output.name}/shape`, shape)], {}, 'tflite');
};

/** CONCATENATION: ConcatenationOptions { axis, fused_activation_function }; 4-D inputs join in NCHW. */
const concatenation: Convert = (b, op) => {
  const o = optionsOf(op);
  const rank = b.tensor(op.outputs[0]).shape.length;
  const axis = (o.int32(0) + rank) % rank;
  const layout: Layout = rank === 4 ? 'nchw' : 'tflite';
  const inputs = op.inputs.map((index) => b.value(index, layout));
  b.emit(op, 'Concat', inputs, { axis: attribute.int(layout === 'nchw' ? TO_NCHW.indexOf(axis) : axis) }, layout, o.int8(1));
};

/** RESIZE_BILINEAR: ResizeBilinearOptions { new_height, new_width (deprecated), align_corners, half_pixel_centers }. */
const resizeBilinear: Convert = (b, op) => {
  const [x, size] = op.inputs as [number, number];
  const [batch, , , channels] = b.tensor(x).shape as [number, number, number, number];
  const [height, width] = b.ints(size) as [number, number];
  const mode = op.options?.int8(2) ? 'align_corners' : op.options?.int8(3) ? 'half_pixel' : 'asymmetric';
  const sizes = b.int64s(`${b.tensor(x).name}/sizes`, [batch, channels, height, width]);
  b.emit(op, 'Resize', [b.value(x, 'nchw'), '', '', sizes], { mode: attribute.string('linear'), coordinate_transformation_mode: attribute.string(mode) }, 'nchw');
};

/** DEQUANTIZE of a constant (fp16 or int8 weights) is folded into an fp32 initializer. */
const dequantize: Convert = (b, op) => {
  const x = op.inputs[0]!;
  if (!b.isConstant(x)) throw unsupported(op, 'reads a computed tensor: quantized activations do not convert');
  b.fold(op.outputs[0]!, b.floats(x));
};

const OPERATORS: Record<string, Convert> = {
  ADD: elementwise('Add'),
  SUB: elementwise('Sub'),
  MUL: elementwise('Mul'),
  CONV_2D: convolution(false),
  DEPTHWISE_CONV_2D: convolution(true),
  MAX_POOL_2D: pooling('MaxPool'),
  AVERAGE_POOL_2D: pooling('AveragePool'),
  RELU: unary('Relu'),
  RELU6: unary('Clip', [0, 6]),
  RELU_N1_TO_1: unary('Clip', [-1, 1]),
  LOGISTIC: unary('Sigmoid'),
  TANH: unary('Tanh'),
  PAD: pad,
  PADV2: pad,
  RESHAPE: reshape,
  CONCATENATION: concatenation,
  RESIZE_BILINEAR: resizeBilinear,
  DEQUANTIZE: dequantize,
};

/** The ONNX model (IR) of a parsed TFLite model's main subgraph. */
export function tfliteModelToOnnx(model: TfliteModel): Model {
  const b = new OnnxGraphBuilder(model);
  const valueInfo = (index: number, name: string) => ({ name, elemType: DataType.FLOAT, shape: [...b.tensor(index).shape] });
  const inputs = model.inputs.map((index) => valueInfo(index, b.define(index, 'tflite')));
  for (const op of model.operators) {
    const convert = OPERATORS[op.name];
    if (!convert) throw unsupported(op, 'is not supported by the TFLite -> ONNX converter');
    convert(b, op);
  }
  const outputs = model.outputs.map((index) => valueInfo(index, b.value(index, 'tflite')));
  return {
    irVersion: IR_VERSION,
    opsetImports: [{ domain: '', version: OPSET }],
    producerName: 'fer-edge tflite-to-onnx',
    producerVersion: '1',
    graph: { name: 'main', nodes: b.nodes, initializers: b.initializers, inputs, outputs, valueInfo: new Map() },
    metadata: new Map(model.description ? [['tflite_description', model.description]] : []),
  };
}

/** TFLite bytes -> ONNX bytes. Any file it cannot convert is a one-line ModelError that starts with `label`. */
export function tfliteToOnnx(bytes: Uint8Array, label = 'model'): Uint8Array {
  const model = readTfliteModel(bytes, label);
  try {
    return encodeModel(tfliteModelToOnnx(model));
  } catch (error) {
    if (error instanceof ModelError) throw new ModelError(`${label}: ${error.message}`);
    throw error;
  }
}
