import * as ort from 'onnxruntime-node';
import { exposeTensors, type InputBatch } from '../calibrate/collect.js';
import type { Model } from '../onnx/graph.js';

export interface LayerError {
  /** The tensor, named as in the fp32 model (a node output). */
  tensor: string;
  /** The node that produces it. */
  node: string;
  op: string;
  /** Signal-to-quantization-noise ratio in dB: 10 log10(sum(x^2) / sum((x - x_q)^2)); higher is better. */
  sqnr_db: number;
}

async function runExposed(model: Model, names: string[], batch: InputBatch): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(exposeTensors(model, names), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  try {
    const outputs = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', batch.data, batch.dims) }, names);
    return Object.fromEntries(names.map((name) => [name, outputs[name]!.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/**
 * Where quantization error enters: every node output the fp32 and the quantized model share, compared on the same
 * images, worst first. The quantized model simulates int8 (Q/DQ executed as written), so its error is attributable.
 */
export async function layerErrors(reference: Model, quantized: Model, batch: InputBatch): Promise<LayerError[]> {
  const quantizedValues = new Set(quantized.graph.nodes.flatMap((n) => n.outputs));
  const shared = reference.graph.nodes.filter((n) => quantizedValues.has(n.outputs[0]!));
  const names = shared.map((n) => n.outputs[0]!);
  const [expected, actual] = await Promise.all([runExposed(reference, names, batch), runExposed(quantized, names, batch)]);
  return shared
    .map((node) => {
      const x = expected[node.outputs[0]!]!;
      const y = actual[node.outputs[0]!]!;
      let signal = 0;
      let noise = 0;
      for (let i = 0; i < x.length; i++) {
        signal += x[i]! * x[i]!;
        noise += (x[i]! - y[i]!) ** 2;
      }
      const sqnr = noise === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
      return { tensor: node.outputs[0]!, node: node.name, op: node.opType, sqnr_db: Math.round(sqnr * 100) / 100 };
    })
    .sort((a, b) => a.sqnr_db - b.sqnr_db);
}
