import { ModelError } from '../errors.js';
import type { AttributeValue, Node } from '../onnx/graph.js';
import { elementCount, floatTensor, halfsToFloats, int64Tensor, type Tensor } from '../onnx/tensor.js';
import type { TfliteModel, TfliteOperator, TfliteTensor } from './read-model.js';
import { TensorType } from './schema.js';

/**
 * Where a TFLite tensor lives in the ONNX graph being built. TFLite is NHWC; ONNX's Conv and pooling are NCHW, so a
 * 4-D tensor may be held as 'nchw' (transposed) or 'tflite' (as TFLite holds it), and the builder inserts a Transpose
 * the first time an op asks for the layout it does not have yet. Tensors of other ranks are always 'tflite'.
 */
export type Layout = 'nchw' | 'tflite';

/** Output axis i takes input axis PERM[i]. */
export const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

/** The fused activations of schema.fbs (ActivationFunctionType) and the ONNX ops that compute them. */
const ACTIVATIONS: Record<number, { op: string; clip?: [number, number] } | undefined> = {
  1: { op: 'Relu' },
  2: { op: 'Clip', clip: [-1, 1] },
  3: { op: 'Clip', clip: [0, 6] },
  4: { op: 'Tanh' },
};

export const attribute = {
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  ints: (value: number[]): AttributeValue => ({ type: 'ints', value }),
  string: (value: string): AttributeValue => ({ type: 'string', value }),
};

export function unsupported(op: TfliteOperator, why: string): ModelError {
  return new ModelError(`TFLite operator ${op.name} (operator ${op.index}) ${why}`);
}

/** The values of a row-major tensor of `shape` (rank 4 at most) with its axes reordered: output axis i is input axis perm[i]. */
export function permute(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  // Axes of size 1 do not move anything (a 1x1 kernel's OHWI is already OIHW in memory).
  const kept = perm.filter((axis) => shape[axis] !== 1);
  const moved = kept.map((axis) => kept.filter((other) => other < axis).length);
  if (moved.every((axis, i) => axis === i)) return data.slice();
  if (moved.length > 4) throw new ModelError(`cannot reorder the axes of a ${shape.length}-D constant`);
  // As 4-D with leading 1s, in four plain loops (weights are permuted on every load).
  const lead = 4 - moved.length;
  const dims = [...new Array<number>(lead).fill(1), ...shape.filter((size) => size !== 1)];
  const order = [...Array(lead).keys(), ...moved.map((axis) => axis + lead)];
  const inStrides = dims.map((_, axis) => elementCount(dims.slice(axis + 1)));
  const [n0, n1, n2, n3] = order.map((axis) => dims[axis]!) as [number, number, number, number];
  const [s0, s1, s2, s3] = order.map((axis) => inStrides[axis]!) as [number, number, number, number];
  const out = new Float32Array(data.length);
  let o = 0;
  for (let i0 = 0; i0 < n0; i0++) {
    for (let i1 = 0; i1 < n1; i1++) {
      for (let i2 = 0; i2 < n2; i2++) {
        let source = i0 * s0 + i1 * s1 + i2 * s2;
        for (let i3 = 0; i3 < n3; i3++, source += s3) out[o++] = data[source]!;
      }
    }
  }
  return out;
}

/** A copy of a constant buffer's bytes into a fresh (aligned) ArrayBuffer. */
function aligned(tensor: TfliteTensor, bytesPerElement: number): ArrayBuffer {
  const data = tensor.data!;
  const count = elementCount(tensor.shape);
  if (data.byteLength !== count * bytesPerElement) {
    throw new ModelError(`constant tensor "${tensor.name}" holds ${data.byteLength} bytes but its shape [${tensor.shape}] needs ${count * bytesPerElement}`);
  }
  // new Uint8Array(view) copies (a Node Buffer's slice() would not).
  return new Uint8Array(data).buffer;
}

/** int8/uint8 values -> float, with per-tensor or per-axis scale and zero point. */
function dequantize(tensor: TfliteTensor, values: Int8Array | Uint8Array): Float32Array {
  const q = tensor.quantization;
  if (!q) throw new ModelError(`constant tensor "${tensor.name}" is ${TensorType[tensor.type]} without quantization parameters`);
  const inner = q.scale.length > 1 ? elementCount(tensor.shape.slice((q.quantizedDimension ?? 0) + 1)) : values.length;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const channel = Math.floor(i / inner) % q.scale.length;
    out[i] = (values[i]! - (q.zeroPoint[channel] ?? q.zeroPoint[0] ?? 0)) * q.scale[channel]!;
  }
  return out;
}

/**
 * Builds the ONNX nodes and initializers for a TFLite subgraph, one TFLite operator at a time: it names values,
 * decodes and folds constants, and keeps track of which layouts of each tensor exist.
 */
export class OnnxGraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  private readonly taken = new Set<string>();
  private readonly values = new Map<number, Map<Layout, string>>();
  private readonly folded = new Map<number, Float32Array>();
  private readonly scalars = new Map<number, string>();
  /** The graph outputs keep their TFLite names (in the TFLite layout). */
  private readonly outputNames: Map<number, string>;

  constructor(private readonly model: TfliteModel) {
    this.outputNames = new Map(model.outputs.map((index) => [index, this.tensor(index).name]));
    for (const name of this.outputNames.values()) this.taken.add(name);
  }

  tensor(index: number | undefined): TfliteTensor {
    const tensor = index === undefined ? undefined : this.model.tensors[index];
    if (!tensor) throw new ModelError(`an operator reads tensor ${index}, which does not exist`);
    return tensor;
  }

  isConstant(index: number): boolean {
    return this.folded.has(index) || this.tensor(index).data !== undefined;
  }

  /** Records a constant computed at conversion time (a DEQUANTIZE of a constant). */
  fold(index: number, values: Float32Array): void {
    this.folded.set(index, values);
  }

  /** A constant's values as float32: fp32 or fp16 buffers, int8/uint8 dequantized, or what was folded. */
  floats(index: number): Float32Array {
    const folded = this.folded.get(index);
    if (folded) return folded;
    const tensor = this.tensor(index);
    if (!tensor.data) throw new ModelError(`tensor "${tensor.name}" is computed, but a constant is needed there`);
    switch (tensor.type) {
      case TensorType.FLOAT32:
        return new Float32Array(aligned(tensor, 4));
      case TensorType.FLOAT16:
        return halfsToFloats(new Uint16Array(aligned(tensor, 2)));
      case TensorType.INT8:
        return dequantize(tensor, new Int8Array(aligned(tensor, 1)));
      case TensorType.UINT8:
        return dequantize(tensor, new Uint8Array(aligned(tensor, 1)));
      default:
        throw new ModelError(`constant tensor "${tensor.name}" is ${TensorType[tensor.type] ?? tensor.type}, not a float or quantized type`);
    }
  }

  /** An integer constant's values (shapes, paddings, sizes). */
  ints(index: number): number[] {
    const tensor = this.tensor(index);
    if (!tensor.data) throw new ModelError(`tensor "${tensor.name}" is computed, but a constant is needed there`);
    if (tensor.type === TensorType.INT32) return Array.from(new Int32Array(aligned(tensor, 4)));
    if (tensor.type === TensorType.INT64) return Array.from(new BigInt64Array(aligned(tensor, 8)), Number);
    throw new ModelError(`constant tensor "${tensor.name}" is ${TensorType[tensor.type] ?? tensor.type}, not int32 or int64`);
  }

  /** A fresh value name derived from `base`. */
  name(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  private nameFor(index: number, layout: Layout): string {
    const output = layout === 'tflite' ? this.outputNames.get(index) : undefined;
    return output ?? this.name(this.tensor(index).name);
  }

  private remember(index: number, layout: Layout, name: string): string {
    const known = this.values.get(index) ?? new Map<Layout, string>();
    known.set(layout, name);
    this.values.set(index, known);
    return name;
  }

  /** The ONNX value holding tensor `index` in `layout`: a Transpose or an initializer is made on first use. */
  value(index: number, layout: Layout): string {
    const tensor = this.tensor(index);
    const known = this.values.get(index);
    const existing = known?.get(layout);
    if (existing) return existing;
    if (this.isConstant(index)) return this.remember(index, layout, this.constant(tensor, layout));
    const [held, source] = known ? [...known][0]! : [];
    if (!source) throw new ModelError(`tensor "${tensor.name}" is read before any operator writes it`);
    if (tensor.shape.length !== 4) throw new ModelError(`tensor "${tensor.name}" [${tensor.shape}] is not 4-D: it has no NCHW layout`);
    const name = this.nameFor(index, layout);
    this.node('Transpose', [source], [name], { perm: attribute.ints(held === 'tflite' ? TO_NCHW : TO_NHWC) });
    return this.remember(index, layout, name);
  }

  /** A constant as an initializer; in 'nchw', one of lower rank is first padded to 4-D, as NHWC broadcasting reads it. */
  private constant(tensor: TfliteTensor, layout: Layout): string {
    const data = this.floats(tensor.index);
    if (layout === 'tflite') return this.initializer(tensor.name, tensor.shape, data);
    if (tensor.shape.length > 4) throw new ModelError(`constant "${tensor.name}" [${tensor.shape}] cannot broadcast against a 4-D tensor`);
    const shape = [...new Array<number>(4 - tensor.shape.length).fill(1), ...tensor.shape];
    return this.initializer(tensor.name, TO_NCHW.map((axis) => shape[axis]!), permute(data, shape, TO_NCHW));
  }

  /** A constant tensor `index` with its axes reordered (convolution weights). */
  permuted(index: number, perm: readonly number[]): string {
    const tensor = this.tensor(index);
    return this.initializer(tensor.name, perm.map((axis) => tensor.shape[axis]!), permute(this.floats(index), tensor.shape, perm));
  }

  initializer(base: string, dims: number[], data: Float32Array): string {
    const name = this.name(base);
    this.initializers.set(name, floatTensor(name, dims, data));
    return name;
  }

  int64s(base: string, values: number[]): string {
    const name = this.name(base);
    this.initializers.set(name, int64Tensor(name, values));
    return name;
  }

  scalar(value: number): string {
    const existing = this.scalars.get(value);
    if (existing) return existing;
    const name = this.initializer(`scalar_${value}`, [], Float32Array.of(value));
    this.scalars.set(value, name);
    return name;
  }

  node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}): void {
    this.nodes.push({ name: outputs[0]!, opType, domain: '', inputs, outputs, attributes: new Map(Object.entries(attributes)) });
  }

  /** Names tensor `index` as written in `layout` (a graph input, or an operator's output). Only float32 converts. */
  define(index: number, layout: Layout): string {
    const tensor = this.tensor(index);
    if (tensor.type !== TensorType.FLOAT32) {
      throw new ModelError(`tensor "${tensor.name}" is ${TensorType[tensor.type] ?? tensor.type}: only float models convert (not quantized ones)`);
    }
    const held: Layout = tensor.shape.length === 4 ? layout : 'tflite';
    this.values.delete(index);
    return this.remember(index, held, this.nameFor(index, held));
  }

  /** Writes `op`'s first output with one ONNX node, then the fused activation (ActivationFunctionType) if any. */
  emit(op: TfliteOperator, opType: string, inputs: string[], attributes: Record<string, AttributeValue>, layout: Layout, activation = 0): void {
    const fused = ACTIVATIONS[activation];
    if (activation !== 0 && !fused) throw unsupported(op, `has fused activation ${activation}, which does not convert`);
    const output = this.define(op.outputs[0]!, layout);
    if (!fused) return this.node(opType, inputs, [output], attributes);
    const raw = this.name(`${output}/${opType}`);
    this.node(opType, inputs, [raw], attributes);
    this.activation(fused.op, fused.clip, raw, output);
  }

  /** Relu, Clip (with the bounds as inputs, opset 11+), Tanh, Sigmoid ... from `input` to `output`. */
  activation(opType: string, clip: [number, number] | undefined, input: string, output: string): void {
    this.node(opType, clip ? [input, this.scalar(clip[0]), this.scalar(clip[1])] : [input], [output]);
  }

  /** The layout tensor `index` is held in now (the one that needs no Transpose). */
  layoutOf(index: number): Layout {
    const known = this.values.get(index);
    return known?.has('nchw') && !known.has('tflite') ? 'nchw' : 'tflite';
  }
}
