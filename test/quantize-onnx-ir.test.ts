import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { ModelError } from '../src/core/errors.js';
import { inferShapes } from '../src/core/onnx/shape-inference.js';
import { decodeModel, encodeModel } from '../src/core/onnx/proto.js';
import { simplifyGraph } from '../src/quantize/onnx/simplify.js';
import type { Model } from '../src/core/onnx/graph.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { testModel } from './helpers/onnx-model.js';
import { DataType, floatTensor } from '../src/core/onnx/tensor.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';

function deterministicInput(count: number): Float32Array {
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = Math.sin(i * 0.37) * 0.9;
  return data;
}

async function run(bytes: Uint8Array, input: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [2, 1, 64, 64]) });
  const output = result[session.outputNames[0]!]!.data as Float32Array;
  await session.release();
  return output;
}

test('an ONNX model survives decode -> encode byte-for-byte in behaviour', { skip: skipUnlessShared(PEER_MODEL) }, async () => {
  const original = readFileSync(sharedPath(PEER_MODEL));
  const model = decodeModel(original);
  assert.equal(model.graph.nodes.length, 55);
  assert.equal(model.graph.inputs.length, 1, 'initializers are not listed as inputs');
  const input = deterministicInput(2 * 64 * 64);
  assert.deepEqual(await run(encodeModel(model), input), await run(original, input));
});

test('BatchNormalization folding and no-op removal keep the outputs within float rounding', { skip: skipUnlessShared(PEER_MODEL) }, async () => {
  const original = readFileSync(sharedPath(PEER_MODEL));
  const model = decodeModel(original);
  const { foldedBatchNorms, removedNoOps } = simplifyGraph(model.graph);
  assert.ok(foldedBatchNorms >= 10, `folded ${foldedBatchNorms}`);
  assert.equal(removedNoOps, 1);
  assert.ok(!model.graph.nodes.some((n) => n.opType === 'BatchNormalization' && n.inputs[0]?.startsWith('conv')));
  const input = deterministicInput(2 * 64 * 64);
  const [expected, actual] = [await run(original, input), await run(encodeModel(model), input)];
  const worst = Math.max(...expected.map((v, i) => Math.abs(v - actual[i]!)));
  assert.ok(worst < 1e-4, `largest probability difference ${worst}`);
});

test('shape inference gives every value a static shape for batch 1', { skip: skipUnlessShared(PEER_MODEL) }, () => {
  const model = decodeModel(readFileSync(sharedPath(PEER_MODEL)));
  simplifyGraph(model.graph);
  const shapes = inferShapes(model.graph);
  assert.deepEqual(shapes.get('input'), [1, 1, 64, 64]);
  assert.deepEqual(shapes.get('probabilities'), [1, 7]);
  for (const node of model.graph.nodes) assert.ok(shapes.get(node.outputs[0]!)!.every((d) => Number.isInteger(d) && d > 0), node.name);
});

test('bytes that are not ONNX are refused with a ModelError', () => {
  assert.throws(() => decodeModel(Buffer.from('this is a text file, not a model\n'), 'notes.txt'), (error: unknown) => {
    assert.ok(error instanceof ModelError);
    assert.match(error.message, /^notes\.txt is not an ONNX model/);
    return true;
  });
});

test('an operator the tool does not handle is named with its node', { skip: skipUnlessShared(PEER_MODEL) }, () => {
  const model = decodeModel(readFileSync(sharedPath(PEER_MODEL)));
  model.graph.nodes[2]!.opType = 'Einsum';
  assert.throws(() => inferShapes(model.graph), /unsupported operator Einsum \(node "/);
});

test('a BatchNormalization after a Gemm (BatchNorm1d after Linear) folds into it, with or without transposed weights', async () => {
  for (const transB of [0, 1]) {
    const weights = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1));
    const model: Model = testModel({
      name: 'gemm-bn',
      nodes: [
        { name: 'fc', opType: 'Gemm', domain: '', inputs: ['x', 'w', 'b'], outputs: ['y'], attributes: new Map([['transB', { type: 'int', value: transB }]]) },
        { name: 'bn', opType: 'BatchNormalization', domain: '', inputs: ['y', 'g', 'beta', 'm', 'v'], outputs: ['z'], attributes: new Map() },
      ],
      initializers: new Map([
        ['w', floatTensor('w', transB ? [3, 4] : [4, 3], weights)],
        ['b', floatTensor('b', [3], Float32Array.of(0.1, -0.2, 0.3))],
        ['g', floatTensor('g', [3], Float32Array.of(1.5, 0.5, 2))],
        ['beta', floatTensor('beta', [3], Float32Array.of(0.2, 0, -0.1))],
        ['m', floatTensor('m', [3], Float32Array.of(0.3, -0.4, 0))],
        ['v', floatTensor('v', [3], Float32Array.of(2, 0.5, 1))],
      ]),
      inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: [2, 4] }],
      outputs: [{ name: 'z', elemType: DataType.FLOAT, shape: [2, 3] }],
    });
    const input = Float32Array.of(1, -2, 0.5, 3, 0, 1, -1, 2);
    const runGemm = async (bytes: Uint8Array) => {
      const session = await ort.InferenceSession.create(bytes);
      const out = (await session.run({ x: new ort.Tensor('float32', input, [2, 4]) })).z!.data as Float32Array;
      await session.release();
      return out;
    };
    const expected = await runGemm(encodeModel(model));
    assert.equal(simplifyGraph(model.graph).foldedBatchNorms, 1);
    assert.deepEqual(model.graph.nodes.map((n) => n.opType), ['Gemm']);
    const actual = await runGemm(encodeModel(model));
    expected.forEach((v, i) => assert.ok(Math.abs(v - actual[i]!) < 1e-5, `transB=${transB}: ${v} vs ${actual[i]}`));
  }
});
