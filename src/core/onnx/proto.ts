import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { ModelError } from '../errors.js';
import type { AttributeValue, Dim, Graph, Model, Node, ValueInfo } from './graph.js';
import { DataType, elementCount, typedArrayFor, type Tensor, type TensorValues } from './tensor.js';

const { onnx } = onnxProto;
type Int64 = number | { toNumber(): number; toString(): string };
const AttributeType = onnx.AttributeProto.AttributeType;

function toNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

function bytesOf(values: TensorValues): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function decodeTensor(proto: onnxProto.onnx.ITensorProto, where: string): Tensor {
  const name = proto.name ?? '';
  const dataType = (proto.dataType ?? 0) as DataType;
  const dims = (proto.dims ?? []).map(toNumber);
  const Values = typedArrayFor(dataType);
  if (!Values) throw new ModelError(`${where}: tensor "${name}" has element type ${onnx.TensorProto.DataType[dataType] ?? dataType}, which fer-edge quantize does not handle`);
  if (proto.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (proto.externalData?.length ?? 0) > 0) {
    throw new ModelError(`${where}: tensor "${name}" keeps its data in an external file; save the model with its weights inside`);
  }
  const count = elementCount(dims);
  const raw = proto.rawData;
  let data: TensorValues;
  if (raw && raw.length > 0) {
    // Copy into a fresh, aligned buffer: protobuf slices are not aligned for multi-byte views.
    const copy = new Uint8Array(raw.length);
    copy.set(raw);
    data = new Values(copy.buffer);
  } else {
    const zero = new Values(new ArrayBuffer(0));
    const Ctor = zero.constructor as unknown as { from(values: ArrayLike<number | bigint>): TensorValues };
    if (dataType === DataType.INT64) data = BigInt64Array.from((proto.int64Data ?? []).map((v) => BigInt(v.toString())));
    else if (dataType === DataType.FLOAT) data = Float32Array.from(proto.floatData ?? []);
    else if (dataType === DataType.DOUBLE) data = Float64Array.from(proto.doubleData ?? []);
    else data = Ctor.from(proto.int32Data ?? []);
  }
  if (data.length !== count) throw new ModelError(`${where}: tensor "${name}" holds ${data.length} values but its shape [${dims}] needs ${count}`);
  return { name, dataType, dims, data };
}

function encodeTensor(tensor: Tensor): onnxProto.onnx.ITensorProto {
  return { name: tensor.name, dataType: tensor.dataType, dims: tensor.dims, rawData: bytesOf(tensor.data) };
}

function decodeAttribute(proto: onnxProto.onnx.IAttributeProto, where: string): AttributeValue {
  switch (proto.type) {
    case AttributeType.INT:
      return { type: 'int', value: toNumber(proto.i) };
    case AttributeType.FLOAT:
      return { type: 'float', value: proto.f ?? 0 };
    case AttributeType.STRING:
      return { type: 'string', value: Buffer.from(proto.s ?? []).toString('utf8') };
    case AttributeType.INTS:
      return { type: 'ints', value: (proto.ints ?? []).map(toNumber) };
    case AttributeType.FLOATS:
      return { type: 'floats', value: [...(proto.floats ?? [])] };
    case AttributeType.TENSOR:
      return { type: 'tensor', value: decodeTensor(proto.t ?? {}, where) };
    default:
      throw new ModelError(`${where}: attribute "${proto.name}" of type ${AttributeType[proto.type ?? 0]} is not supported by fer-edge quantize`);
  }
}

function encodeAttribute(name: string, attribute: AttributeValue): onnxProto.onnx.IAttributeProto {
  switch (attribute.type) {
    case 'int':
      return { name, type: AttributeType.INT, i: attribute.value };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: attribute.value };
    case 'string':
      return { name, type: AttributeType.STRING, s: Buffer.from(attribute.value, 'utf8') };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: attribute.value };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: attribute.value };
    case 'tensor':
      return { name, type: AttributeType.TENSOR, t: encodeTensor(attribute.value) };
  }
}

function decodeValueInfo(proto: onnxProto.onnx.IValueInfoProto): ValueInfo {
  const tensorType = proto.type?.tensorType;
  const info: ValueInfo = { name: proto.name ?? '', elemType: (tensorType?.elemType ?? 0) as DataType };
  if (tensorType?.shape) {
    info.shape = (tensorType.shape.dim ?? []).map((dim): Dim => {
      if (dim.dimParam) return dim.dimParam;
      return dim.dimValue !== null && dim.dimValue !== undefined ? toNumber(dim.dimValue) : undefined;
    });
  }
  return info;
}

function encodeValueInfo(info: ValueInfo): onnxProto.onnx.IValueInfoProto {
  const shape = info.shape ? { dim: info.shape.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : typeof dim === 'string' ? { dimParam: dim } : {})) } : undefined;
  return { name: info.name, type: { tensorType: { elemType: info.elemType, ...(shape ? { shape } : {}) } } };
}

function decodeNode(proto: onnxProto.onnx.INodeProto): Node {
  const where = `${proto.opType} node "${proto.name || proto.output?.[0]}"`;
  return {
    name: proto.name ?? '',
    opType: proto.opType ?? '',
    domain: proto.domain ?? '',
    inputs: [...(proto.input ?? [])],
    outputs: [...(proto.output ?? [])],
    attributes: new Map((proto.attribute ?? []).map((a) => [a.name ?? '', decodeAttribute(a, where)])),
  };
}

function encodeNode(node: Node): onnxProto.onnx.INodeProto {
  return {
    name: node.name,
    opType: node.opType,
    domain: node.domain,
    input: node.inputs,
    output: node.outputs,
    attribute: [...node.attributes].map(([name, value]) => encodeAttribute(name, value)),
  };
}

/** Parses ONNX bytes into the IR. `label` names the source in errors. */
export function decodeModel(bytes: Uint8Array, label = 'model'): Model {
  let proto: onnxProto.onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new ModelError(`${label} is not an ONNX model (${(error as Error).message})`);
  }
  const graph = proto.graph;
  if (!graph || (graph.node?.length ?? 0) === 0 || toNumber(proto.irVersion) <= 0) throw new ModelError(`${label} is not an ONNX model (no graph)`);
  const initializers = new Map<string, Tensor>();
  for (const t of graph.initializer ?? []) initializers.set(t.name ?? '', decodeTensor(t, label));
  const decoded: Graph = {
    name: graph.name ?? 'graph',
    nodes: (graph.node ?? []).map(decodeNode),
    initializers,
    // ONNX IR < 4 lists initializers among the inputs too; the IR keeps real inputs only.
    inputs: (graph.input ?? []).map(decodeValueInfo).filter((i) => !initializers.has(i.name)),
    outputs: (graph.output ?? []).map(decodeValueInfo),
    valueInfo: new Map((graph.valueInfo ?? []).map((v) => [v.name ?? '', decodeValueInfo(v)])),
  };
  return {
    irVersion: toNumber(proto.irVersion),
    opsetImports: (proto.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: toNumber(o.version) })),
    producerName: proto.producerName ?? '',
    producerVersion: proto.producerVersion ?? '',
    graph: decoded,
    metadata: new Map((proto.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
  };
}

export function encodeModel(model: Model): Uint8Array {
  const graph = model.graph;
  const proto = onnx.ModelProto.create({
    irVersion: model.irVersion,
    opsetImport: model.opsetImports,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    metadataProps: [...model.metadata].map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      node: graph.nodes.map(encodeNode),
      initializer: [...graph.initializers.values()].map(encodeTensor),
      input: graph.inputs.map(encodeValueInfo),
      output: graph.outputs.map(encodeValueInfo),
      valueInfo: [...graph.valueInfo.values()].map(encodeValueInfo),
    },
  });
  return onnx.ModelProto.encode(proto).finish();
}

export function readModel(path: string): Model {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new ModelError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return decodeModel(bytes, path);
}

/** A deep copy through the protobuf, for passes that must not touch the caller's model. */
export function cloneModel(model: Model): Model {
  return decodeModel(encodeModel(model));
}
