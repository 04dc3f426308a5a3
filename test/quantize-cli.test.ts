import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { quantizeModel, type QuantizeReport } from '../src/quantize/index.js';
import { decodeModel, encodeModel } from '../src/core/onnx/proto.js';
import { ConfigError, ModelError } from '../src/core/errors.js';
import { parseManifest } from '../src/sdk/model/manifest.js';
import { runCli } from './helpers/cli.js';
import { PEER_MODEL, peerManifest } from './helpers/model-fixtures.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const skip = skipUnlessShared(PEER_MODEL) || skipUnlessShared('data', 'fer2013', 'val');
const workDir = tempDirForTests('fer-quantize-cli-');

/** Writes `bytes` as <dir>/<name>.onnx with a manifest describing mini-Xception's input and output. */
function modelWithManifest(dir: string, name: string, bytes: Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, bytes);
  const manifest = { ...peerManifest(bytes), name };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(manifest));
  return path;
}

const calib = sharedPath('data', 'fer2013', 'train');
const val = sharedPath('data', 'fer2013', 'val');

test('`fer-edge quantize` writes int8 QDQ ONNX, int8 TFLite, fp16 ONNX, their manifests and a report that compares them with fp32', { skip }, () => {
  const dir = join(workDir, 'e2e');
  const model = modelWithManifest(dir, 'peer', readFileSync(sharedPath(PEER_MODEL)));
  const run = runCli(['quantize', model, '--calib', calib, '--calib-count', '32', '--val', val, '--val-count', '70', '--json']);
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout) as QuantizeReport;
  assert.deepEqual(readdirSync(dir).sort(), [
    'peer.fp16.json', 'peer.fp16.onnx', 'peer.int8-qdq.json', 'peer.int8-qdq.onnx', 'peer.int8.json', 'peer.int8.tflite', 'peer.json', 'peer.onnx', 'peer.quantize-report.json',
  ]);
  assert.equal(report.validation.images, 70);
  assert.equal(report.calibration.images, 32);
  for (const entry of report.models) {
    const floor = entry.format === 'onnx-fp16' ? 0.99 : 0.9;
    assert.ok(entry.top1_agreement >= floor, `${entry.format}: top-1 agreement ${entry.top1_agreement}`);
    assert.ok(Math.abs(entry.accuracy_delta) <= 0.05, `${entry.format}: accuracy delta ${entry.accuracy_delta}`);
    const manifestPath = join(dir, entry.file.replace(/\.[^.]+$/, '.json'));
    const manifest = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
    assert.equal(manifest.sha256, createHash('sha256').update(readFileSync(join(dir, entry.file))).digest('hex'));
    assert.equal(manifest.source?.model, 'peer.onnx');
    assert.ok(entry.bytes < report.source.bytes * (entry.format === 'onnx-fp16' ? 0.6 : 0.5), `${entry.format} is ${entry.bytes} bytes`);
  }
  const tflite = parseManifest(readFileSync(join(dir, 'peer.int8.json'), 'utf8'), 'peer.int8.json');
  assert.equal(tflite.input.dtype, 'int8');
  assert.equal(tflite.input.layout, 'NHWC');
  assert.ok(tflite.input.quantization && tflite.input.quantization.scale > 0);
  assert.deepEqual(report.tflite?.non_edgetpu_operators, []);
  assert.ok(report.worst_layers.length > 0 && Number.isFinite(report.worst_layers[0]!.output_sqnr_db));
  const inspect = runCli(['inspect', '--trt', join(dir, 'peer.int8-qdq.onnx')]);
  assert.equal(inspect.status, 0, inspect.stderr);
});

test('a file that is not ONNX fails with one line and a non-zero exit, writing nothing', { skip }, () => {
  const dir = join(workDir, 'not-onnx');
  const model = modelWithManifest(dir, 'notes', Buffer.from('these are notes, not a model\n'));
  const run = runCli(['quantize', model, '--calib', calib, '--calib-count', '8', '--val', val, '--val-count', '8']);
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /^fer-edge: .*notes\.onnx is not an ONNX model/);
  assert.equal(run.stderr.trim().split('\n').length, 1);
  assert.deepEqual(readdirSync(dir).sort(), ['notes.json', 'notes.onnx']);
});

test('an unsupported operator is named with its node', { skip }, async () => {
  const dir = join(workDir, 'unsupported');
  const graph = decodeModel(readFileSync(sharedPath(PEER_MODEL)));
  const node = graph.graph.nodes.find((n) => n.opType === 'Relu')!;
  node.opType = 'Celu';
  const model = modelWithManifest(dir, 'odd', encodeModel(graph));
  await assert.rejects(quantizeModel({ modelPath: model, calibPath: calib, valPath: val, calibCount: 8, valCount: 8 }), (error: unknown) => {
    assert.ok(error instanceof ModelError);
    assert.match(error.message, new RegExp(`unsupported operator Celu \\(node "Celu_${node.outputs[0]}"\\)`));
    return true;
  });
  assert.deepEqual(readdirSync(dir).sort(), ['odd.json', 'odd.onnx']);
});

test('a calibration source with no images is refused', { skip }, async () => {
  const dir = join(workDir, 'empty-calib');
  const model = modelWithManifest(dir, 'peer', readFileSync(sharedPath(PEER_MODEL)));
  const empty = join(workDir, 'no-images');
  mkdirSync(empty, { recursive: true });
  await assert.rejects(quantizeModel({ modelPath: model, calibPath: empty, valPath: val }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /^--calib .*no-images holds no images/);
    return true;
  });
  assert.deepEqual(readdirSync(dir).sort(), ['peer.json', 'peer.onnx']);
});

test('a failure after some models were made leaves no half-written output', { skip }, async () => {
  const dir = join(workDir, 'late-failure');
  const graph = decodeModel(readFileSync(sharedPath(PEER_MODEL)));
  // ONNX Runtime and the QDQ writer take ceil_mode pooling; the TFLite writer does not, so it fails last.
  graph.graph.nodes.find((n) => n.opType === 'MaxPool')!.attributes.set('ceil_mode', { type: 'int', value: 1 });
  const model = modelWithManifest(dir, 'peer', encodeModel(graph));
  await assert.rejects(
    quantizeModel({ modelPath: model, calibPath: calib, valPath: val, calibCount: 16, valCount: 8, formats: ['onnx-fp16', 'tflite-int8'] }),
    /TFLite writer cannot convert MaxPool node .*ceil_mode/,
  );
  assert.deepEqual(readdirSync(dir).sort(), ['peer.json', 'peer.onnx']);
});
