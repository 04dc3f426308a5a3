import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { calibratedTensors, calibrateRanges } from '../src/quantize/calibrate/index.js';
import type { Model, Node } from '../src/core/onnx/graph.js';
import { decodeModel, encodeModel } from '../src/core/onnx/proto.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { testModel } from './helpers/onnx-model.js';
import { simplifyGraph } from '../src/quantize/onnx/simplify.js';
import { DataType, floatTensor } from '../src/core/onnx/tensor.js';
import { convertToTflite } from '../src/quantize/tflite/convert.js';
import { nonEdgeTpuOperators } from '../src/quantize/tflite/edgetpu-ops.js';
import { createBackend } from '../src/sdk/backends/index.js';
import { readTfliteIo } from '../src/core/tflite/tensors.js';
import { repoRoot, sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const workDir = tempDirForTests('fer-quantize-tflite-');

type Batch = { data: Float32Array; dims: number[] };

function syntheticBatch(count: number, size = 64): Batch {
  const plane = size * size;
  const data = new Float32Array(count * plane);
  for (let b = 0; b < count; b++)
    for (let i = 0; i < plane; i++) data[b * plane + i] = Math.sin((i % size) * 0.11 * (b + 1)) * 0.6 + Math.cos(Math.floor(i / size) * 0.07 * (b + 2)) * 0.35;
  return { data, dims: [count, 1, size, size] };
}

function seededWeights(count: number, seed: number, scale: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return (state / 2147483648 - 0.5) * 2 * scale;
  });
}

/**
 * A small MobileNetV3-style graph with the operators the hard-swish student uses: a stride-2 stem whose pads differ from
 * TFLite SAME, hard-swish, depthwise conv, squeeze-excite (ReduceMean, ReLU, HardSigmoid, Mul), a residual Add,
 * global pooling, Flatten and Gemm. Deterministic weights: a fixture for the converter, not a classifier.
 */
function mobileNetBlockModel(): Model {
  const nodes: Node[] = [];
  const initializers = new Map<string, ReturnType<typeof floatTensor>>();
  let seed = 1;
  const weight = (name: string, dims: number[]) => {
    const fanIn = dims.slice(1).reduce((a, b) => a * b, 1);
    initializers.set(name, floatTensor(name, dims, seededWeights(dims.reduce((a, b) => a * b, 1), seed++, Math.sqrt(3 / fanIn))));
    return name;
  };
  const add = (opType: string, inputs: string[], output: string, attributes: [string, { type: 'int' | 'ints' | 'float'; value: number | number[] }][] = []) => {
    nodes.push({ name: `${opType}_${output}`, opType, domain: '', inputs, outputs: [output], attributes: new Map(attributes) as Node['attributes'] });
    return output;
  };
  const conv = (x: string, out: string, cin: number, cout: number, k: number, stride: number, group = 1) =>
    add('Conv', [x, weight(`${out}_w`, [cout, cin / group, k, k]), weight(`${out}_b`, [cout])], out, [
      ['kernel_shape', { type: 'ints', value: [k, k] }],
      ['strides', { type: 'ints', value: [stride, stride] }],
      ['pads', { type: 'ints', value: [(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2] }],
      ['group', { type: 'int', value: group }],
    ]);
  const stem = add('HardSwish', [conv('input', 'stem', 1, 16, 3, 2)], 'stem_hs');
  const dw = add('Relu', [conv(stem, 'dw', 16, 16, 3, 1, 16)], 'dw_relu');
  const squeezed = add('ReduceMean', [dw], 'se_mean', [['axes', { type: 'ints', value: [2, 3] }], ['keepdims', { type: 'int', value: 1 }]]);
  const fc1 = add('Relu', [conv(squeezed, 'se_fc1', 16, 8, 1, 1)], 'se_fc1_relu');
  const gate = add('HardSigmoid', [conv(fc1, 'se_fc2', 8, 16, 1, 1)], 'se_gate', [['alpha', { type: 'float', value: 1 / 6 }]]);
  const excited = add('Mul', [dw, gate], 'se_out');
  const project = conv(excited, 'project', 16, 16, 1, 1);
  const residual = add('Add', [stem, project], 'residual');
  const pooled = add('GlobalAveragePool', [residual], 'pooled');
  const flat = add('Flatten', [pooled], 'flat', [['axis', { type: 'int', value: 1 }]]);
  add('Gemm', [flat, weight('head_w', [7, 16]), weight('head_b', [7])], 'logits', [['transB', { type: 'int', value: 1 }]]);
  return testModel(
    {
      name: 'block',
      nodes,
      initializers,
      inputs: [{ name: 'input', elemType: DataType.FLOAT, shape: ['batch', 1, 64, 64] }],
      outputs: [{ name: 'logits', elemType: DataType.FLOAT, shape: ['batch', 7] }],
    },
    'fer-edge test',
  );
}

interface Agreement {
  top1: number;
  maxError: number;
  range: number;
}

/** Converts with ranges calibrated on `calibration` and compares TFLite (the SDK's back end) with ORT fp32 on `check`. */
async function convertAndCompare(model: Model, calibration: Batch, check: Batch, file: string): Promise<{ agreement: Agreement; operators: string[]; path: string }> {
  const ranges = await calibrateRanges(model, calibratedTensors(model), [calibration], 'minmax', { percentile: 100 });
  const converted = convertToTflite(model, ranges);
  const path = join(workDir, file);
  writeFileSync(path, converted.bytes);
  const session = await ort.InferenceSession.create(encodeModel(model));
  const expected = (await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', check.data, check.dims) }))[session.outputNames[0]!]!.data as Float32Array;
  await session.release();
  const backend = await createBackend(path, { type: 'tflite', threads: 1 });
  const [count, , height, width] = check.dims as [number, number, number, number];
  const actual = (await backend.run({ [backend.info.inputNames[0]!]: { data: check.data, dims: [count, height, width, 1] } }))[backend.info.outputNames[0]!]!.data;
  await backend.close();
  const classes = expected.length / count;
  let agree = 0;
  for (let i = 0; i < count; i++) {
    const row = (values: ArrayLike<number>) => Array.from({ length: classes }, (_, k) => values[i * classes + k]!);
    const argmax = (values: number[]) => values.indexOf(Math.max(...values));
    if (argmax(row(expected)) === argmax(row(actual))) agree++;
  }
  const maxError = Math.max(...Array.from(expected, (v, i) => Math.abs(v - actual[i]!)));
  const range = Math.max(...expected) - Math.min(...expected);
  return { agreement: { top1: agree / count, maxError, range }, operators: converted.operators, path };
}

test('MobileNetV3 block (hard-swish, squeeze-excite, residual, stride-2 pads) converts and runs in tfjs-tflite-node', async () => {
  const model = mobileNetBlockModel();
  simplifyGraph(model.graph);
  const { agreement, operators, path } = await convertAndCompare(model, syntheticBatch(8), syntheticBatch(6), 'block.tflite');
  assert.deepEqual(
    [...operators].sort(),
    ['ADD', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'MEAN', 'MUL', 'PAD', 'RESHAPE'],
    'HardSigmoid folds into its Conv, ReLUs fuse, hard-swish is ADD and MUL',
  );
  assert.ok(agreement.maxError < 0.05 * agreement.range, `largest logit error ${agreement.maxError} of a ${agreement.range} range`);
  const io = readTfliteIo(readFileSync(path));
  assert.equal(io.inputs[0]!.quantization !== undefined, true, 'int8 input carries its quantization');
  assert.deepEqual(io.inputs[0]!.shape, [1, 64, 64, 1], 'NHWC');
  assert.deepEqual(nonEdgeTpuOperators(operators), [], 'hard-swish as ADD and MUL keeps even the hard-swish student on the Edge TPU');
});

test('mini-Xception (real FER2013 weights) converts to full-integer TFLite that agrees with fp32', { skip: skipUnlessShared(PEER_MODEL) }, async () => {
  const model = decodeModel(readFileSync(sharedPath(PEER_MODEL)));
  simplifyGraph(model.graph);
  const { agreement, operators } = await convertAndCompare(model, syntheticBatch(8), syntheticBatch(6), 'mini-xception.tflite');
  assert.deepEqual(nonEdgeTpuOperators(operators), []);
  assert.ok(operators.includes('MAX_POOL_2D') && operators.includes('SOFTMAX'));
  // Synthetic stripes are far from faces; the agreement on real val faces is checked end to end in quantize-cli.
  assert.ok(agreement.maxError < 0.1, `largest probability error ${agreement.maxError}`);
  assert.ok(agreement.top1 >= 5 / 6, `top-1 agreement ${agreement.top1}`);
});

/** Shipped fp32 students (models/*.onnx whose manifest says fp32), when the training side has exported them. */
const shippedStudents = existsSync(join(repoRoot, 'models'))
  ? readdirSync(join(repoRoot, 'models')).filter((file) => {
      if (!file.endsWith('.onnx') || file.split('.').length !== 2) return false;
      const manifest = join(repoRoot, 'models', file.replace(/\.onnx$/, '.json'));
      return existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { precision?: string }).precision === 'fp32';
    })
  : [];

for (const file of shippedStudents) {
  test(`shipped ${file} converts to TFLite that uses Edge TPU operators only`, async () => {
    const model = decodeModel(readFileSync(join(repoRoot, 'models', file)));
    simplifyGraph(model.graph);
    const { input } = JSON.parse(readFileSync(join(repoRoot, 'models', file.replace(/\.onnx$/, '.json')), 'utf8')) as { input: { height: number } };
    const { agreement, operators } = await convertAndCompare(
      model,
      syntheticBatch(8, input.height),
      syntheticBatch(6, input.height),
      file.replace(/\.onnx$/, '.tflite'),
    );
    assert.ok(agreement.maxError < 0.1 * agreement.range, `largest logit error ${agreement.maxError} of a ${agreement.range} range`);
    assert.deepEqual(nonEdgeTpuOperators(operators), []);
  });
}
