import * as ort from 'onnxruntime-node';
import type { Model } from '../../core/onnx/graph.js';
import { cloneModel, encodeModel } from '../../core/onnx/proto.js';
import { DataType } from '../../core/onnx/tensor.js';
import { SymmetricHistogram } from './histogram.js';
import type { TensorStatistics } from './range.js';

/** One preprocessed calibration batch for the model's single input: NCHW float32 values and their dims. */
export interface InputBatch {
  data: Float32Array;
  dims: number[];
}

export type ProgressCallback = (done: number, total: number) => void;

/** The model with `names` added as graph outputs, so ONNX Runtime hands back every intermediate tensor. */
export function exposeTensors(model: Model, names: readonly string[]): Uint8Array {
  const exposed = cloneModel(model);
  const existing = new Set(exposed.graph.outputs.map((o) => o.name));
  for (const name of names) if (!existing.has(name)) exposed.graph.outputs.push({ name, elemType: DataType.FLOAT });
  return encodeModel(exposed);
}

/**
 * Runs the fp32 model on the calibration batches with ONNX Runtime and gathers, for each named float tensor, its
 * min/max (first pass) and a histogram over its observed |x| range (second pass). Progress counts both passes.
 */
export async function collectStatistics(
  model: Model,
  names: readonly string[],
  batches: readonly InputBatch[],
  onProgress?: ProgressCallback,
): Promise<Map<string, TensorStatistics>> {
  const session = await ort.InferenceSession.create(exposeTensors(model, names), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const inputName = session.inputNames[0]!;
  const total = batches.length * 2;
  let done = 0;
  const runAll = async (visit: (name: string, values: Float32Array) => void): Promise<void> => {
    for (const batch of batches) {
      const outputs = await session.run({ [inputName]: new ort.Tensor('float32', batch.data, batch.dims) }, [...names]);
      for (const name of names) visit(name, outputs[name]!.data as Float32Array);
      onProgress?.(++done, total);
    }
  };
  try {
    const extremes = new Map(names.map((name) => [name, { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY }]));
    await runAll((name, values) => {
      const range = extremes.get(name)!;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < range.min) range.min = v;
        if (v > range.max) range.max = v;
      }
    });
    const statistics = new Map<string, TensorStatistics>();
    for (const [name, { min, max }] of extremes) {
      statistics.set(name, { min, max, histogram: new SymmetricHistogram(Math.max(Math.abs(min), Math.abs(max))) });
    }
    await runAll((name, values) => statistics.get(name)!.histogram.add(values));
    return statistics;
  } finally {
    await session.release();
  }
}
