import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { calibratedTensors, calibrateRanges, type CalibrationMethodName } from '../src/quantize/calibrate/index.js';
import { DEFAULTS } from '../src/quantize/defaults.js';
import type { Model, Node } from '../src/core/onnx/graph.js';
import { cloneModel, encodeModel } from '../src/core/onnx/proto.js';
import { DataType, floatTensor } from '../src/core/onnx/tensor.js';
import { checkTensorRtRules } from '../src/quantize/qdq/trt-rules.js';
import { writeQdq } from '../src/quantize/qdq/write-qdq.js';
import { testModel } from './helpers/onnx-model.js';

const SIDE = 8;
const IMAGES = 64;
/** Image 0 of every batch is 100x brighter: the image-level outliers MobileNetV3's late blocks show. */
const OUTLIERS = 1;

function op(name: string, opType: string, inputs: string[], outputs: string[]): Node {
  return { name, opType, domain: '', inputs, outputs, attributes: new Map() };
}

/** input [N,1,8,8] -> 1x1 Conv (4) -> Relu -> 1x1 Conv (3) -> GlobalAveragePool -> Flatten -> [N,3]. */
function tinyModel(): Model {
  const initializers = new Map([
    ['w1', floatTensor('w1', [4, 1, 1, 1], Float32Array.of(1, 0.5, -0.7, 0.3))],
    ['b1', floatTensor('b1', [4], Float32Array.of(0.01, 0, 0.02, 0))],
    ['w2', floatTensor('w2', [3, 4, 1, 1], Float32Array.of(0.9, -0.4, 0.3, 1, -0.6, 0.8, 0.5, -0.2, 0.2, 0.7, -1, 0.4))],
    ['b2', floatTensor('b2', [3], Float32Array.of(0, 0.01, -0.01))],
  ]);
  return testModel({
    name: 'tiny',
    nodes: [
      op('conv1', 'Conv', ['input', 'w1', 'b1'], ['c1']),
      op('relu', 'Relu', ['c1'], ['r1']),
      op('conv2', 'Conv', ['r1', 'w2', 'b2'], ['c2']),
      op('pool', 'GlobalAveragePool', ['c2'], ['p']),
      op('flatten', 'Flatten', ['p'], ['logits']),
    ],
    initializers,
    inputs: [{ name: 'input', elemType: DataType.FLOAT, shape: ['batch', 1, SIDE, SIDE] }],
    outputs: [{ name: 'logits', elemType: DataType.FLOAT, shape: ['batch', 3] }],
  });
}

/** Deterministic images in [-1, 1], the first OUTLIERS of them scaled by 100. */
function batch(seed: number): { data: Float32Array; dims: number[] } {
  const data = new Float32Array(IMAGES * SIDE * SIDE);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = (state / 2147483648) * 2 - 1;
    if (i < OUTLIERS * SIDE * SIDE) data[i]! *= 100;
  }
  return { data, dims: [IMAGES, 1, SIDE, SIDE] };
}

async function run(model: Model, input: { data: Float32Array; dims: number[] }): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input.data, input.dims) });
    return out.logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Output SQNR in dB of the int8 QDQ model against fp32 on the ordinary (not outlier) images. */
async function typicalSqnr(method: CalibrationMethodName): Promise<number> {
  const model = tinyModel();
  const ranges = await calibrateRanges(model, calibratedTensors(model), [batch(3), batch(5)], method, { percentile: DEFAULTS.percentile });
  const qdq = cloneModel(model);
  writeQdq(qdq, ranges);
  assert.deepEqual(checkTensorRtRules(qdq), []);
  const val = batch(11);
  const [reference, quantized] = [await run(model, val), await run(qdq, val)];
  let signal = 0;
  let noise = 0;
  for (let i = OUTLIERS * 3; i < reference.length; i++) {
    signal += reference[i]! ** 2;
    noise += (reference[i]! - quantized[i]!) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

test('the default calibration keeps ordinary images resolved when a few images are 100x larger', async () => {
  // 1 image in 64 is 1.6% of the elements: a 99.99th percentile keeps their scale and leaves ordinary images ~1 level.
  const percentile = await typicalSqnr('percentile');
  const fallback = await typicalSqnr(DEFAULTS.method);
  assert.equal(DEFAULTS.method, 'entropy');
  assert.ok(percentile < 20, `percentile: ${percentile.toFixed(1)} dB`);
  assert.ok(fallback > 30, `${DEFAULTS.method}: ${fallback.toFixed(1)} dB on the ordinary images`);
});
