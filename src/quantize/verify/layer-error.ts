import * as ort from 'onnxruntime-node';
import type { InputBatch } from '../calibrate/collect.js';
import type { CalibrationRange } from '../calibrate/index.js';
import type { Model } from '../../core/onnx/graph.js';
import { cloneModel, encodeModel } from '../../core/onnx/proto.js';
import { quantizableNodes, writeQdq } from '../qdq/write-qdq.js';

export interface LayerError {
  /** The node quantized on its own (every other node kept in fp32). */
  node: string;
  op: string;
  /** Signal-to-quantization-noise ratio of the model output, in dB: 10 log10(sum(y^2) / sum((y - y_q)^2)); higher is better. */
  output_sqnr_db: number;
  /** Share of the batch whose top-1 label is unchanged. */
  top1_agreement: number;
}

async function runModel(model: Model, batch: InputBatch): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  try {
    const outputs = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', batch.data, batch.dims) });
    return outputs[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

function argmaxRows(values: Float32Array, rows: number): number[] {
  const width = values.length / rows;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let k = 1; k < width; k++) if (values[r * width + k]! > values[r * width + best]!) best = k;
    return best;
  });
}

/**
 * Which layers cost accuracy: each quantizable node is quantized alone (int8 QDQ as written for TensorRT, every other
 * node in fp32) and the model output compared with fp32 on the same images. Worst first; the names are what
 * `--exclude` takes to keep a layer in floating point.
 */
export async function layerSensitivity(model: Model, ranges: ReadonlyMap<string, CalibrationRange>, batch: InputBatch): Promise<LayerError[]> {
  const rows = batch.dims[0]!;
  const reference = await runModel(model, batch);
  const referenceTop1 = argmaxRows(reference, rows);
  const candidates = quantizableNodes(model.graph);
  const results: LayerError[] = [];
  for (const target of candidates) {
    const single = cloneModel(model);
    const others = new Set(candidates.filter((n) => n !== target).map((n) => n.name));
    writeQdq(single, ranges, { exclude: others });
    const output = await runModel(single, batch);
    let signal = 0;
    let noise = 0;
    for (let i = 0; i < output.length; i++) {
      signal += reference[i]! ** 2;
      noise += (reference[i]! - output[i]!) ** 2;
    }
    const top1 = argmaxRows(output, rows);
    results.push({
      node: target.name,
      op: target.opType,
      output_sqnr_db: noise === 0 ? 999 : Math.round(1000 * Math.log10(signal / noise)) / 100,
      top1_agreement: top1.filter((label, i) => label === referenceTop1[i]).length / rows,
    });
  }
  return results.sort((a, b) => a.output_sqnr_db - b.output_sqnr_db);
}
