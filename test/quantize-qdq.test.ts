import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { calibratedTensors, calibrateRanges, type CalibrationRange } from '../src/quantize/calibrate/index.js';
import { convertToFp16 } from '../src/quantize/fp16.js';
import { producers, type Model } from '../src/core/onnx/graph.js';
import { cloneModel, decodeModel, encodeModel } from '../src/core/onnx/proto.js';
import { simplifyGraph } from '../src/quantize/onnx/simplify.js';
import { DataType } from '../src/core/onnx/tensor.js';
import { checkTensorRtRules } from '../src/quantize/qdq/trt-rules.js';
import { writeQdq } from '../src/quantize/qdq/write-qdq.js';
import { runCli } from './helpers/cli.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

const skip = skipUnlessShared(PEER_MODEL);

/** Smooth, face-sized synthetic inputs in the model's [-1, 1] range: enough to exercise ranges and rules. */
function syntheticBatch(count: number): { data: Float32Array; dims: number[] } {
  const data = new Float32Array(count * 64 * 64);
  for (let b = 0; b < count; b++)
    for (let i = 0; i < 4096; i++) data[b * 4096 + i] = Math.sin((i % 64) * 0.11 * (b + 1)) * 0.6 + Math.cos(Math.floor(i / 64) * 0.07 * (b + 2)) * 0.35;
  return { data, dims: [count, 1, 64, 64] };
}

async function run(model: Model, batch: { data: Float32Array; dims: number[] }): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', batch.data, batch.dims) });
  const data = out[session.outputNames[0]!]!.data as Float32Array;
  await session.release();
  return data;
}

let fp32: Model;
let ranges: Map<string, CalibrationRange>;
let qdq: Model;
let workDir: string;

before(async () => {
  if (skip) return;
  fp32 = decodeModel(readFileSync(sharedPath(PEER_MODEL)));
  simplifyGraph(fp32.graph);
  ranges = await calibrateRanges(fp32, calibratedTensors(fp32), [syntheticBatch(8)], 'percentile', { percentile: 99.99 });
  qdq = cloneModel(fp32);
  writeQdq(qdq, ranges);
  workDir = makeTempDir('fer-quantize-qdq-');
});

after(() => {
  if (workDir) removeTempDir(workDir);
});

test('the QDQ writer follows the TensorRT rules and stays close to fp32', { skip }, async () => {
  assert.deepEqual(checkTensorRtRules(qdq), []);
  const ops = qdq.graph.nodes.map((n) => n.opType);
  assert.equal(ops.filter((op) => op === 'Conv').length, 23);
  const producerOf = producers(qdq.graph);
  const residualAdds = qdq.graph.nodes.filter((n) => n.opType === 'Add');
  assert.equal(residualAdds.length, 4);
  for (const add of residualAdds) assert.ok(add.inputs.every((input) => producerOf.get(input)?.opType === 'DequantizeLinear'));
  const batch = syntheticBatch(4);
  const [expected, actual] = [await run(fp32, batch), await run(qdq, batch)];
  const worst = Math.max(...expected.map((v, i) => Math.abs(v - actual[i]!)));
  assert.ok(worst < 0.1, `largest probability difference ${worst}`);
});

type Plant = (model: Model) => void;
const firstNode = (model: Model, predicate: (n: Model['graph']['nodes'][number]) => boolean) => model.graph.nodes.find(predicate)!;

const PLANTED: [string, Plant, string][] = [
  ['non-zero activation zero point', (m) => {
    const q = firstNode(m, (n) => n.opType === 'QuantizeLinear');
    m.graph.initializers.get(q.inputs[2]!)!.data = Int8Array.of(3);
  }, 'symmetric-zero-point'],
  ['uint8 activation (no zero point)', (m) => {
    const q = firstNode(m, (n) => n.opType === 'QuantizeLinear');
    q.inputs = q.inputs.slice(0, 2);
  }, 'int8-only'],
  ['per-channel weights on axis 1', (m) => {
    const dq = firstNode(m, (n) => n.opType === 'DequantizeLinear' && m.graph.initializers.has(n.inputs[0]!) && n.attributes.has('axis'));
    dq.attributes.set('axis', { type: 'int', value: 1 });
  }, 'weight-per-channel-axis-0'],
  ['a weight of -128', (m) => {
    const dq = firstNode(m, (n) => n.opType === 'DequantizeLinear' && m.graph.initializers.has(n.inputs[0]!));
    (m.graph.initializers.get(dq.inputs[0]!)!.data as Int8Array)[0] = -128;
  }, 'weight-range'],
  ['Conv reading an unquantized activation', (m) => {
    const conv = m.graph.nodes.filter((n) => n.opType === 'Conv')[5]!;
    const dq = producers(m.graph).get(conv.inputs[0]!)!;
    const q = producers(m.graph).get(dq.inputs[0]!)!;
    conv.inputs[0] = q.inputs[0]!;
  }, 'qdq-on-inputs'],
  ['residual Add with one float input', (m) => {
    const add = firstNode(m, (n) => n.opType === 'Add');
    const dq = producers(m.graph).get(add.inputs[1]!)!;
    add.inputs[1] = producers(m.graph).get(dq.inputs[0]!)!.inputs[0]!;
  }, 'residual-add-qdq'],
  ['per-channel activation scale', (m) => {
    const q = firstNode(m, (n) => n.opType === 'QuantizeLinear');
    m.graph.initializers.get(q.inputs[1]!)!.data = Float32Array.of(0.1, 0.1);
    m.graph.initializers.get(q.inputs[1]!)!.dims = [2];
  }, 'activation-per-tensor'],
  ['opset 12', (m) => {
    m.opsetImports[0]!.version = 12;
  }, 'opset'],
];

for (const [what, plant, rule] of PLANTED) {
  test(`the TensorRT checker catches ${what}`, { skip }, () => {
    const broken = cloneModel(qdq);
    plant(broken);
    const violations = checkTensorRtRules(broken);
    assert.ok(violations.length >= 1, 'no violation found');
    assert.equal(violations[0]!.rule, rule, violations[0]!.message);
    assert.ok(violations.every((v) => v.rule === rule), violations.map((v) => v.message).join('; '));
  });
}

test('`fer-edge inspect --trt` exits 0 on a compliant model and names node, op and rule of a violation', { skip }, () => {
  const good = join(workDir, 'good.onnx');
  writeFileSync(good, encodeModel(qdq));
  const broken = cloneModel(qdq);
  const conv = broken.graph.nodes.filter((n) => n.opType === 'Conv')[5]!;
  const dq = producers(broken.graph).get(conv.inputs[0]!)!;
  conv.inputs[0] = producers(broken.graph).get(dq.inputs[0]!)!.inputs[0]!;
  const bad = join(workDir, 'bad.onnx');
  writeFileSync(bad, encodeModel(broken));
  const cli = (path: string) => runCli(['inspect', '--trt', path]);
  const ok = cli(good);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /TensorRT QDQ rules OK/);
  const failed = cli(bad);
  assert.notEqual(failed.status, 0);
  assert.match(failed.stderr, new RegExp(`^fer-edge: .*Conv node "${(conv.name || conv.outputs[0]!).replace(/[/.]/g, '\\$&')}" breaks rule qdq-on-inputs`));
  assert.equal(failed.stderr.trim().split('\n').length, 1);
});

test('fp16 conversion halves the weights and keeps float32 inputs and outputs', { skip }, async () => {
  const half = cloneModel(fp32);
  convertToFp16(half);
  assert.ok([...half.graph.initializers.values()].every((t) => t.dataType !== DataType.FLOAT));
  assert.equal(half.graph.inputs[0]!.elemType, DataType.FLOAT);
  const batch = syntheticBatch(4);
  const [expected, actual] = [await run(fp32, batch), await run(half, batch)];
  const worst = Math.max(...expected.map((v, i) => Math.abs(v - actual[i]!)));
  assert.ok(worst < 0.01, `largest probability difference ${worst}`);
  assert.ok(encodeModel(half).length < encodeModel(fp32).length * 0.6);
});
