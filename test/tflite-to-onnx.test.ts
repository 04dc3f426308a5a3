import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { tfliteToOnnx } from '../src/core/tflite/to-onnx.js';
import { Activation, BuiltinOperator, buildTfliteModel, Padding, TensorType, type ModelSpec, type TensorSpec } from '../src/core/tflite/schema.js';
import { createBackend, type ModelBackend } from '../src/sdk/backends/index.js';
import { blazeFaceInput } from '../src/sdk/detectors/blazeface.js';
import { createDetector } from '../src/sdk/detectors/index.js';
import { ModelError } from '../src/core/errors.js';
import cv from '../src/sdk/opencv.js';
import { matToFrame } from '../src/sdk/preprocess/frame-mat.js';
import type { Face, Frame } from '../src/sdk/types.js';
import { runCli } from './helpers/cli.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const packageDir = dirname(createRequire(import.meta.url).resolve('@mediapipe/face_detection'));
const RANGES = [
  { range: 'short', file: 'face_detection_short_range.tflite', size: 128 },
  { range: 'full', file: 'face_detection_full_range.tflite', size: 192 },
] as const;
const IMAGES = ['astronaut_eileen_collins_nasa.png', 'grace_hopper_pillow_128.jpg', 'solvay_conference_1927.jpg'];
const image = (name: string): Frame => matToFrame(cv.imread(sharedPath('media', name)), 0, 0);

/** Runs the same float input through both back ends and returns, per output, the largest difference and magnitude. */
async function compareOutputs(tflite: ModelBackend, onnx: ModelBackend, data: Float32Array, dims: number[]) {
  const input = tflite.info.inputNames[0]!;
  const [expected, actual] = await Promise.all([tflite.run({ [input]: { data, dims } }), onnx.run({ [input]: { data, dims } })]);
  return tflite.info.outputNames.map((name) => {
    const reference = expected[name]!;
    const converted = actual[name]!;
    assert.deepEqual(converted.dims, reference.dims, name);
    let difference = 0;
    let magnitude = 0;
    reference.data.forEach((value, i) => {
      difference = Math.max(difference, Math.abs(value - converted.data[i]!));
      magnitude = Math.max(magnitude, Math.abs(value));
    });
    return { name, difference, magnitude };
  });
}

for (const { range, file, size } of RANGES) {
  test(`BlazeFace ${range} range converted to ONNX gives TFLite's outputs on real images`, { skip: IMAGES.map((name) => skipUnlessShared('media', name)).find(Boolean) ?? false }, async () => {
    const path = join(packageDir, file);
    const started = performance.now();
    const onnxBytes = tfliteToOnnx(readFileSync(path), path);
    console.log(`${file}: converted in ${(performance.now() - started).toFixed(1)} ms, ${onnxBytes.length} bytes of ONNX`);
    const tflite = await createBackend(path, { type: 'tflite', threads: 1 });
    const onnx = await createBackend({ onnx: onnxBytes, path }, { type: 'onnxruntime' });
    try {
      assert.deepEqual(onnx.info.inputNames, tflite.info.inputNames);
      assert.deepEqual(onnx.info.outputNames, tflite.info.outputNames);
      assert.deepEqual(onnx.inputs.map((t) => t.dims), tflite.inputs.map((t) => t.dims));
      assert.deepEqual(onnx.outputs.map((t) => t.dims), tflite.outputs.map((t) => t.dims));
      for (const name of IMAGES) {
        for (const { name: output, difference, magnitude } of await compareOutputs(tflite, onnx, blazeFaceInput(image(name), size).pixels, [1, size, size, 3])) {
          // Measured here: at most 2.4e-6 of the output's largest magnitude (fp32 summation order).
          assert.ok(difference <= 1e-5 * magnitude, `${name} ${output}: max |difference| ${difference} for values up to ${magnitude}`);
        }
      }
    } finally {
      await Promise.all([tflite.close(), onnx.close()]);
    }
  });

  test(`BlazeFace ${range} range: the same faces on ONNX Runtime (default) as on TFLite`, { skip: IMAGES.map((name) => skipUnlessShared('media', name)).find(Boolean) ?? false }, async () => {
    const onTflite = await createDetector({ type: 'blazeface', range, backend: { type: 'tflite' } });
    const onOnnx = await createDetector({ type: 'blazeface', range });
    try {
      for (const name of IMAGES) {
        const expected = await onTflite.detect(image(name));
        const actual = await onOnnx.detect(image(name));
        assert.equal(actual.length, expected.length, name);
        const close = (a: number, b: number) => Math.abs(a - b) < 1e-3;
        actual.forEach((face: Face, i) => {
          const reference = expected[i]!;
          const same = (['x', 'y', 'width', 'height'] as const).every((k) => close(face.box[k], reference.box[k])) && close(face.score, reference.score);
          assert.ok(same, `${name} face ${i}: ${JSON.stringify(face.box)} ${face.score} vs ${JSON.stringify(reference.box)} ${reference.score}`);
          face.landmarks?.forEach((point, k) => assert.ok(close(point.x, reference.landmarks![k]!.x) && close(point.y, reference.landmarks![k]!.y)));
        });
      }
    } finally {
      await Promise.all([onTflite.close?.(), onOnnx.close?.()]);
    }
  });
}

const float32 = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);
const int32 = (values: number[]): Uint8Array => new Uint8Array(Int32Array.from(values).buffer);
/** Deterministic weights in [-1, 1]. */
const weights = (count: number, seed: number): number[] => Array.from({ length: count }, (_, i) => Math.sin(i * 1.7 + seed) * 0.9);

/**
 * A small float model with the operators BlazeFace does not use and the asymmetric SAME padding it does: strided
 * CONV_2D with fused RELU6, DEPTHWISE_CONV_2D with depth multiplier 2, AVERAGE_POOL_2D (SAME, so padding excluded from
 * the average), MUL by a per-channel constant, LOGISTIC, PAD, MAX_POOL_2D, RESHAPE and RELU6.
 */
function operatorsModel(): ModelSpec {
  const tensors: TensorSpec[] = [];
  const tensor = (name: string, shape: number[], data?: Uint8Array, type = TensorType.FLOAT32): number => {
    tensors.push({ name, shape, type, ...(data ? { data } : {}) });
    return tensors.length - 1;
  };
  const x = tensor('x', [1, 9, 9, 4]);
  const conv = tensor('conv', [1, 5, 5, 6]);
  const depthwise = tensor('depthwise', [1, 3, 3, 12]);
  const average = tensor('average', [1, 3, 3, 12]);
  const scaled = tensor('scaled', [1, 3, 3, 12]);
  const sigmoid = tensor('sigmoid', [1, 3, 3, 12]);
  const padded = tensor('padded', [1, 4, 4, 12]);
  const pooled = tensor('pooled', [1, 2, 2, 12]);
  const flat = tensor('flat', [1, 48]);
  const y = tensor('y', [1, 48]);
  const window = { padding: Padding.SAME, strideW: 2, strideH: 2, activation: Activation.NONE };
  return {
    description: 'converter operators test',
    tensors,
    inputs: [x],
    // A 4-D output too: it leaves the graph in NHWC, under its own name.
    outputs: [y, pooled],
    operators: [
      {
        op: BuiltinOperator.CONV_2D,
        inputs: [x, tensor('conv/w', [6, 3, 3, 4], float32(weights(216, 1))), tensor('conv/b', [6], float32(weights(6, 2)))],
        outputs: [conv],
        options: { kind: 'Conv2DOptions', ...window, activation: Activation.RELU6 },
      },
      {
        op: BuiltinOperator.DEPTHWISE_CONV_2D,
        inputs: [conv, tensor('dw/w', [1, 3, 3, 12], float32(weights(108, 3))), tensor('dw/b', [12], float32(weights(12, 4)))],
        outputs: [depthwise],
        options: { kind: 'DepthwiseConv2DOptions', ...window, depthMultiplier: 2, activation: Activation.RELU },
      },
      { op: BuiltinOperator.AVERAGE_POOL_2D, inputs: [depthwise], outputs: [average], options: { kind: 'Pool2DOptions', ...window, strideW: 1, strideH: 1, filterW: 2, filterH: 2 } },
      { op: BuiltinOperator.MUL, inputs: [average, tensor('scale', [12], float32(weights(12, 5)))], outputs: [scaled], options: { kind: 'MulOptions', activation: Activation.NONE } },
      { op: BuiltinOperator.LOGISTIC, inputs: [scaled], outputs: [sigmoid] },
      { op: BuiltinOperator.PAD, inputs: [sigmoid, tensor('paddings', [4, 2], int32([0, 0, 1, 0, 0, 1, 0, 0]), TensorType.INT32)], outputs: [padded], options: { kind: 'PadOptions' } },
      { op: BuiltinOperator.MAX_POOL_2D, inputs: [padded], outputs: [pooled], options: { kind: 'Pool2DOptions', ...window, filterW: 3, filterH: 3 } },
      { op: BuiltinOperator.RESHAPE, inputs: [pooled], outputs: [flat], options: { kind: 'ReshapeOptions', newShape: [1, -1] } },
      { op: BuiltinOperator.RELU6, inputs: [flat], outputs: [y] },
    ],
  };
}

test('operators beyond BlazeFace convert to what TFLite computes', async (t) => {
  const bytes = buildTfliteModel(operatorsModel());
  const dir = tempDirForTests('fer-to-onnx-', t);
  const path = join(dir, 'operators.tflite');
  writeFileSync(path, bytes);
  const tflite = await createBackend(path, { type: 'tflite' });
  const onnx = await createBackend({ onnx: tfliteToOnnx(bytes, path), path }, { type: 'onnxruntime' });
  try {
    const input = Float32Array.from(weights(324, 7), (v) => v * 3);
    for (const { name, difference, magnitude } of await compareOutputs(tflite, onnx, input, [1, 9, 9, 4])) {
      assert.ok(magnitude > 0.1, 'the output is not all zeros');
      assert.ok(difference < 1e-5, `${name}: max |difference| ${difference}`);
    }
  } finally {
    await Promise.all([tflite.close(), onnx.close()]);
  }
});

test('an unsupported operator, a quantized model or a corrupt file is a one-line ModelError', () => {
  const oneLine = (pattern: RegExp) => (error: unknown) => error instanceof ModelError && pattern.test(error.message) && !error.message.includes('\n');
  const softmax = buildTfliteModel({
    description: 'softmax',
    tensors: [
      { name: 'x', shape: [1, 4], type: TensorType.FLOAT32 },
      { name: 'y', shape: [1, 4], type: TensorType.FLOAT32 },
    ],
    operators: [{ op: BuiltinOperator.SOFTMAX, inputs: [0], outputs: [1], options: { kind: 'SoftmaxOptions', beta: 1 } }],
    inputs: [0],
    outputs: [1],
  });
  assert.throws(() => tfliteToOnnx(softmax, 'softmax.tflite'), oneLine(/^softmax\.tflite: TFLite operator SOFTMAX \(operator 0\) is not supported/));

  const quantized = buildTfliteModel({
    description: 'int8',
    tensors: [
      { name: 'x_int8', shape: [1, 4], type: TensorType.INT8, quantization: { scale: [0.1], zeroPoint: [0] } },
      { name: 'y', shape: [1, 4], type: TensorType.FLOAT32 },
    ],
    operators: [{ op: BuiltinOperator.DEQUANTIZE, inputs: [0], outputs: [1] }],
    inputs: [0],
    outputs: [1],
  });
  assert.throws(() => tfliteToOnnx(quantized, 'int8.tflite'), oneLine(/^int8\.tflite: tensor "x_int8" is INT8: only float models convert/));

  assert.throws(() => tfliteToOnnx(new TextEncoder().encode('this is not a model'), 'text.tflite'), oneLine(/text\.tflite is not a TFLite flatbuffer/));
  const blazeFace = readFileSync(join(packageDir, RANGES[0].file));
  for (const length of [64, 4096, 100_000, blazeFace.length - 32]) {
    assert.throws(() => tfliteToOnnx(blazeFace.subarray(0, length), 'truncated.tflite'), oneLine(/^truncated\.tflite: the file is truncated/), `truncated to ${length} bytes`);
  }
});

test('`fer-edge convert` writes an ONNX file the BlazeFace detector loads as it is', { skip: skipUnlessShared('media', IMAGES[0]!) }, async (t) => {
  const dir = tempDirForTests('fer-convert-cli-', t);
  const output = join(dir, 'short.onnx');
  const run = runCli(['convert', join(packageDir, RANGES[0].file), '-o', output]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /short\.onnx: ONNX opset 17/);
  const detector = await createDetector({ type: 'blazeface', model: output });
  try {
    assert.equal((await detector.detect(image(IMAGES[0]!))).length, 1);
  } finally {
    await detector.close?.();
  }
});
