import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { Builder } from 'flatbuffers';
import { createBackend } from '../src/sdk/backends/index.js';
import { findEdgeTpuLibrary } from '../src/sdk/backends/edgetpu-library.js';
import { readTfliteIo } from '../src/core/tflite/tensors.js';
import { xnnpackPluginPath } from '../src/sdk/backends/xnnpack-plugin.js';
import { readManifest } from '../src/sdk/model/manifest.js';
import { runTsSnippet } from './helpers/child-script.js';
import { faceBatch, ferValFaces } from './helpers/fer-faces.js';
import { repoRoot, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const blazeFace = join(dirname(createRequire(import.meta.url).resolve('@mediapipe/face_detection')), 'face_detection_short_range.tflite');

const TENSOR_INT8 = 9;
const TENSOR_FLOAT32 = 0;
const OP_DEQUANTIZE = 6;
const OP_QUANTIZE = 114;

/**
 * Writes a real two-op TFLite model, int8 [1,4] -> DEQUANTIZE -> float32 -> QUANTIZE -> int8 [1,4], with different
 * quantization on each side: a full-integer model's edges, small enough to check the arithmetic by hand.
 */
function int8EdgesModel(input: { scale: number; zeroPoint: number }, output: { scale: number; zeroPoint: number }): Uint8Array {
  const b = new Builder(1024);
  const intVector = (values: number[]): number => {
    b.startVector(4, values.length, 4);
    for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
    return b.endVector();
  };
  const quantization = (q: { scale: number; zeroPoint: number }): number => {
    b.startVector(4, 1, 4);
    b.addFloat32(q.scale);
    const scale = b.endVector();
    b.startVector(8, 1, 8);
    b.addInt64(BigInt(q.zeroPoint));
    const zeroPoint = b.endVector();
    b.startObject(7);
    b.addFieldOffset(2, scale, 0);
    b.addFieldOffset(3, zeroPoint, 0);
    return b.endObject();
  };
  const tensor = (name: string, type: number, q?: { scale: number; zeroPoint: number }): number => {
    const nameOffset = b.createString(name);
    const shape = intVector([1, 4]);
    const quant = q ? quantization(q) : 0;
    b.startObject(8);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, type, -1);
    b.addFieldInt32(2, 0, -1);
    b.addFieldOffset(3, nameOffset, 0);
    if (quant) b.addFieldOffset(4, quant, 0);
    return b.endObject();
  };
  const operator = (opcodeIndex: number, inputs: number[], outputs: number[]): number => {
    const ins = intVector(inputs);
    const outs = intVector(outputs);
    b.startObject(4);
    b.addFieldInt32(0, opcodeIndex, -1);
    b.addFieldOffset(1, ins, 0);
    b.addFieldOffset(2, outs, 0);
    return b.endObject();
  };
  const opcode = (code: number): number => {
    b.startObject(4);
    b.addFieldInt8(0, code, -1);
    b.addFieldInt32(2, 1, 0);
    b.addFieldInt32(3, code, -1);
    return b.endObject();
  };
  const offsets = (items: number[]): number => {
    b.startVector(4, items.length, 4);
    for (let i = items.length - 1; i >= 0; i--) b.addOffset(items[i]!);
    return b.endVector();
  };

  const tensors = offsets([tensor('x_int8', TENSOR_INT8, input), tensor('x_float', TENSOR_FLOAT32), tensor('y_int8', TENSOR_INT8, output)]);
  const operators = offsets([operator(0, [0], [1]), operator(1, [1], [2])]);
  const subgraphInputs = intVector([0]);
  const subgraphOutputs = intVector([2]);
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, subgraphInputs, 0);
  b.addFieldOffset(2, subgraphOutputs, 0);
  b.addFieldOffset(3, operators, 0);
  const subgraph = b.endObject();
  const opcodes = offsets([opcode(OP_DEQUANTIZE), opcode(OP_QUANTIZE)]);
  const subgraphs = offsets([subgraph]);
  b.startObject(0);
  const emptyBuffer = b.endObject();
  const buffers = offsets([emptyBuffer]);
  b.startObject(5);
  b.addFieldInt32(0, 3, 0);
  b.addFieldOffset(1, opcodes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(4, buffers, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array();
}

describe('tflite back end', () => {
  const dir = tempDirForTests('fer-edge-tflite-');

  test('runs the real BlazeFace model, and a batch of 3 equals 3 single runs (fixed batch 1 looped)', async () => {
    const backend = await createBackend(blazeFace, { type: 'tflite', threads: 1 });
    assert.equal(backend.info.runtime, 'tflite');
    assert.equal(backend.info.accelerator, xnnpackPluginPath() ? 'xnnpack' : 'cpu');
    assert.deepEqual(backend.inputs, [{ name: 'input', dtype: 'float32', dims: [1, 128, 128, 3] }]);
    assert.deepEqual(backend.info.outputNames, ['regressors', 'classificators']);

    const item = 128 * 128 * 3;
    const batch = new Float32Array(3 * item);
    for (let i = 0; i < batch.length; i++) batch[i] = Math.sin(i * 0.001 + Math.floor(i / item)) * 0.8;
    const batched = await backend.run({ input: { data: batch, dims: [3, 128, 128, 3] } });
    assert.deepEqual(batched.classificators!.dims, [3, 896, 1]);
    for (let k = 0; k < 3; k++) {
      const single = await backend.run({ input: { data: batch.subarray(k * item, (k + 1) * item), dims: [1, 128, 128, 3] } });
      assert.deepEqual(batched.classificators!.data.subarray(k * 896, (k + 1) * 896), single.classificators!.data);
    }
    // Different inputs give different scores: the loop did not feed the same item three times.
    assert.notDeepEqual(batched.classificators!.data.subarray(0, 896), batched.classificators!.data.subarray(896, 1792));
    await backend.close();
  });

  test('int8 edges: float input is quantized and int8 output dequantized with the model file\'s parameters', async () => {
    // Scales a float32 holds exactly, so the parameters read back from the file compare equal.
    const input = { scale: 0.0625, zeroPoint: -10 };
    const output = { scale: 0.125, zeroPoint: 5 };
    const path = join(dir, 'int8-edges.tflite');
    const bytes = int8EdgesModel(input, output);
    writeFileSync(path, bytes);
    assert.deepEqual(readTfliteIo(bytes).outputs[0]?.quantization, output);

    // TFLite's own kernels: XNNPACK's QUANTIZE rounds ties to even, and this checks the back end's edges, not that.
    const backend = await createBackend(path, { type: 'tflite', delegate: 'cpu' });
    assert.deepEqual(backend.inputs[0], { name: 'x_int8', dtype: 'int8', dims: [1, 4], quantization: input });
    const values = Float32Array.from([-3.2, -0.04, 1.26, 4.9, 0.5, -1.5, 2.0, 3.33]);
    const result = await backend.run({ x_int8: { data: values, dims: [2, 4] } });
    const y = result.y_int8!;
    assert.deepEqual(y.dims, [2, 4]);
    const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));
    values.forEach((value, i) => {
      const q1 = Math.max(-128, Math.min(127, roundHalfAway(value / input.scale) + input.zeroPoint));
      const real = input.scale * (q1 - input.zeroPoint);
      const q2 = Math.max(-128, Math.min(127, roundHalfAway(real / output.scale) + output.zeroPoint));
      assert.ok(Math.abs(y.data[i]! - output.scale * (q2 - output.zeroPoint)) < 1e-5, `item ${i}: ${y.data[i]} vs ${value}`);
      assert.ok(Math.abs(y.data[i]! - value) <= input.scale / 2 + output.scale / 2 + 1e-6);
    });
    // Already-quantized input passes through untouched.
    const raw = await backend.run({ x_int8: { data: Int8Array.from([-10, 6, 22, 38]), dims: [1, 4] } });
    assert.deepEqual(Array.from(raw.y_int8!.data), [0, 1, 2, 3]);
    await backend.close();
  });

  const noPlugin = xnnpackPluginPath() ? false : 'the XNNPACK plugin is not built (scripts/build-xnnpack-plugin.sh)';
  test('XNNPACK gives what TFLite\'s own kernels give: BlazeFace (float) and the int8 student on real faces', { skip: noPlugin || skipUnlessShared('data', 'fer2013', 'val') }, async () => {
    const [fast, builtIn] = await Promise.all([createBackend(blazeFace, { type: 'tflite' }), createBackend(blazeFace, { type: 'tflite', delegate: 'cpu' })]);
    const image = new Float32Array(128 * 128 * 3).map((_, i) => Math.sin(i * 0.003) * 0.9);
    const [a, b] = await Promise.all([fast, builtIn].map((backend) => backend.run({ input: { data: image, dims: [1, 128, 128, 3] } })));
    const largest = Math.max(...b!.regressors!.data.map(Math.abs));
    assert.ok(a!.regressors!.data.every((v, i) => Math.abs(v - b!.regressors!.data[i]!) <= 1e-4 * largest), 'BlazeFace regressors differ');
    await Promise.all([fast.close(), builtIn.close()]);

    const student = join(repoRoot, 'models', 'fer-mnv3s.int8.tflite');
    const manifest = await readManifest(join(repoRoot, 'models', 'fer-mnv3s.int8.json'), student);
    const faces = faceBatch(ferValFaces(10).map((f) => f.path), manifest.input);
    const [x, c] = await Promise.all([createBackend(student, { type: 'tflite' }), createBackend(student, { type: 'tflite', delegate: 'cpu' })]);
    const [fromXnnpack, fromBuiltIn] = await Promise.all([x, c].map(async (backend) => (await backend.run({ [manifest.input.name]: faces }))[manifest.output.name]!.data));
    // Requantization rounds differently in XNNPACK's kernels, by a step here and there, which adds up over 50 layers.
    const top1 = (logits: ArrayLike<number>, face: number): number => {
      const row = Array.from(logits).slice(face * 7, face * 7 + 7);
      return row.indexOf(Math.max(...row));
    };
    const faceCount = faces.dims[0]!;
    const same = Array.from({ length: faceCount }, (_, face) => top1(fromXnnpack!, face) === top1(fromBuiltIn!, face)).filter(Boolean).length;
    const spread = Math.max(...fromBuiltIn!) - Math.min(...fromBuiltIn!);
    const worst = Math.max(...fromXnnpack!.map((v, i) => Math.abs(v - fromBuiltIn![i]!)));
    assert.ok(same >= 0.95 * faceCount, `top-1 agrees on ${same} of ${faceCount} faces`);
    assert.ok(worst <= 0.08 * spread, `logits differ by ${worst} (their range ${spread})`);
    await Promise.all([x.close(), c.close()]);
  });

  test('Edge TPU without libedgetpu.so.1 gives the clear error, in a child process that does not crash', { skip: findEdgeTpuLibrary() ? 'libedgetpu.so.1 is installed here' : false }, () => {
    const result = runTsSnippet(
      `import { createBackend } from '{{repo}}/src/sdk/backends/index.ts';
       try {
         await createBackend(${JSON.stringify(blazeFace)}, { type: 'tflite', delegate: 'edgetpu' });
         console.log('LOADED');
       } catch (error) {
         console.log(error.name + ': ' + error.message);
       }`,
      { FER_EDGE_LOG_LEVEL: 'silent' },
    );
    assert.equal(result.signal, null, `child died by ${result.signal}: ${result.stderr}`);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ModelError: Edge TPU requested but libedgetpu\.so\.1 not found \(searched .*\/usr\/lib.*\)/);
  });
});
