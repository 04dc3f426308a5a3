import { ModelError } from '../errors.js';
import type { DataType, Tensor } from './tensor.js';

export type AttributeValue =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'tensor'; value: Tensor };

export interface Node {
  name: string;
  opType: string;
  domain: string;
  /** Empty string = an omitted optional input, as in ONNX. */
  inputs: string[];
  outputs: string[];
  attributes: Map<string, AttributeValue>;
}

/** A dimension is a size, a symbolic name (e.g. "batch"), or unknown. */
export type Dim = number | string | undefined;

export interface ValueInfo {
  name: string;
  elemType: DataType;
  shape?: Dim[];
}

export interface Graph {
  name: string;
  nodes: Node[];
  initializers: Map<string, Tensor>;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Known types and shapes of intermediate values. */
  valueInfo: Map<string, ValueInfo>;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName: string;
  producerVersion: string;
  graph: Graph;
  metadata: Map<string, string>;
}

/** The default-domain opset version, or 0 if the model imports none. */
export function defaultOpset(model: Model): number {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
}

export function attrInt(node: Node, name: string, fallback: number): number {
  const a = node.attributes.get(name);
  return a?.type === 'int' ? a.value : fallback;
}

export function attrFloat(node: Node, name: string, fallback: number): number {
  const a = node.attributes.get(name);
  return a?.type === 'float' ? a.value : fallback;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attributes.get(name);
  return a?.type === 'ints' ? a.value : undefined;
}

export function attrString(node: Node, name: string, fallback: string): string {
  const a = node.attributes.get(name);
  return a?.type === 'string' ? a.value : fallback;
}

/** Which node produces each value. */
export function producers(graph: Graph): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const node of graph.nodes) for (const output of node.outputs) if (output) map.set(output, node);
  return map;
}

/** Which nodes read each value. */
export function consumers(graph: Graph): Map<string, Node[]> {
  const map = new Map<string, Node[]>();
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      if (!input) continue;
      const list = map.get(input) ?? [];
      list.push(node);
      map.set(input, list);
    }
  }
  return map;
}

/** Kahn's algorithm over value names; keeps the original order among ready nodes. Throws on a cycle or a missing input. */
export function topologicalSort(graph: Graph): Node[] {
  const available = new Set<string>([...graph.inputs.map((i) => i.name), ...graph.initializers.keys(), '']);
  const pending = [...graph.nodes];
  const sorted: Node[] = [];
  while (pending.length > 0) {
    const index = pending.findIndex((node) => node.inputs.every((input) => available.has(input)));
    if (index < 0) {
      const stuck = pending[0]!;
      const missing = stuck.inputs.find((input) => !available.has(input));
      throw new ModelError(`graph is not a DAG or has a dangling input: node ${stuck.name || stuck.opType} reads "${missing}" which nothing produces`);
    }
    const [node] = pending.splice(index, 1);
    sorted.push(node!);
    for (const output of node!.outputs) available.add(output);
  }
  return sorted;
}

/** Drops nodes whose outputs reach no graph output, then initializers nothing reads. */
export function removeDeadNodes(graph: Graph): void {
  const needed = new Set(graph.outputs.map((o) => o.name));
  const kept: Node[] = [];
  for (const node of [...topologicalSort(graph)].reverse()) {
    if (!node.outputs.some((output) => needed.has(output))) continue;
    kept.push(node);
    for (const input of node.inputs) needed.add(input);
  }
  graph.nodes = kept.reverse();
  for (const name of [...graph.initializers.keys()]) if (!needed.has(name)) graph.initializers.delete(name);
  for (const name of [...graph.valueInfo.keys()]) if (!needed.has(name)) graph.valueInfo.delete(name);
}

/** Makes every node read `replacement` where it read `original`, and graph outputs follow. */
export function renameValue(graph: Graph, original: string, replacement: string): void {
  for (const node of graph.nodes) node.inputs = node.inputs.map((input) => (input === original ? replacement : input));
  for (const output of graph.outputs) if (output.name === original) output.name = replacement;
}

/** A name not yet used by any value or node in the graph, derived from `base`. */
export function uniqueName(graph: Graph, base: string): string {
  const taken = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name)]);
  for (const node of graph.nodes) {
    taken.add(node.name);
    for (const value of [...node.inputs, ...node.outputs]) taken.add(value);
  }
  if (!taken.has(base)) return base;
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function describeNode(node: Node): string {
  return `${node.opType} node "${node.name || node.outputs[0]}"`;
}
