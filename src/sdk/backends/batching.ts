import type { TensorData } from '../types.js';

/** Items [start, end) along the first dimension. */
export function sliceBatch(tensor: TensorData, start: number, end: number): TensorData {
  const itemSize = itemLength(tensor.dims);
  return { data: tensor.data.subarray(start * itemSize, end * itemSize), dims: [end - start, ...tensor.dims.slice(1)] };
}

/** Concatenates float32 tensors along the first dimension. */
export function concatBatch(parts: { data: Float32Array; dims: number[] }[]): { data: Float32Array; dims: number[] } {
  const first = parts[0];
  if (!first) throw new Error('concatBatch needs at least one tensor');
  const total = parts.reduce((sum, part) => sum + part.data.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  let batch = 0;
  for (const part of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
    batch += part.dims[0] ?? 1;
  }
  return { data, dims: [batch, ...first.dims.slice(1)] };
}

export function itemLength(dims: readonly number[]): number {
  return dims.slice(1).reduce((product, dim) => product * dim, 1);
}

/** The batch size of `inputs` (first dimension of the first tensor); all inputs must agree. */
export function batchSize(inputs: Record<string, TensorData>): number {
  const sizes = new Set(Object.values(inputs).map((tensor) => tensor.dims[0] ?? 1));
  if (sizes.size !== 1) throw new Error(`inputs disagree on the batch size: ${[...sizes].join(', ')}`);
  return [...sizes][0]!;
}

type FloatTensor = { data: Float32Array; dims: number[] };

/**
 * Runs `run` on chunks of at most `chunkSize` items along the first dimension and concatenates the outputs, so a
 * model with a fixed batch (often 1 for TFLite) takes any batch. With no chunk size it runs once.
 */
export async function runInChunks(
  inputs: Record<string, TensorData>,
  chunkSize: number | undefined,
  run: (chunk: Record<string, TensorData>) => Promise<Record<string, FloatTensor>>,
): Promise<Record<string, FloatTensor>> {
  const total = batchSize(inputs);
  if (!chunkSize || total <= chunkSize) return run(inputs);
  const parts: Record<string, FloatTensor>[] = [];
  for (let start = 0; start < total; start += chunkSize) {
    const end = Math.min(start + chunkSize, total);
    const chunk: Record<string, TensorData> = {};
    for (const [name, tensor] of Object.entries(inputs)) chunk[name] = sliceBatch(tensor, start, end);
    parts.push(await run(chunk));
  }
  const out: Record<string, FloatTensor> = {};
  for (const name of Object.keys(parts[0]!)) out[name] = concatBatch(parts.map((part) => part[name]!));
  return out;
}
