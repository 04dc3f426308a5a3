import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { readDataset } from '../src/eval/dataset.js';
import { evaluate } from '../src/eval/evaluate.js';
import { loadClassifierFromOptions } from '../src/eval/model-options.js';
import cv from '../src/sdk/opencv.js';
import { ConfigError, ModelError } from '../src/core/errors.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const PEER = sharedPath(PEER_MODEL);
const VAL = sharedPath('data', 'fer2013', 'val');
const skip = skipUnlessShared(PEER_MODEL) || skipUnlessShared('data', 'fer2013', 'val');
const FER_INDEX: Record<string, number> = { angry: 0, disgust: 1, fear: 2, happy: 3, sad: 4, surprise: 5, neutral: 6 };
const peerSpec = { model: PEER, mean: [0.5], std: [0.5], output: 'probabilities' };

const work = tempDirForTests('fer-edge-eval-data-');
const folder = join(work, 'val-subset');
const csv = join(work, 'fer2013.csv');

before(() => {
  if (skip) return;
  // 3 real val faces per class as a Kaggle folder (links) and as fer2013.csv rows (their decoded pixels), plus a
  // Training row that --usage PublicTest must leave out. Rows in FER2013 index order, the order the folder is read in.
  const rows = ['emotion,pixels,Usage'];
  for (const name of readdirSync(VAL).sort((a, b) => FER_INDEX[a]! - FER_INDEX[b]!)) {
    mkdirSync(join(folder, name), { recursive: true });
    for (const file of readdirSync(join(VAL, name)).sort().slice(0, 3)) {
      symlinkSync(join(VAL, name, file), join(folder, name, file));
      const gray = cv.imread(join(VAL, name, file), cv.IMREAD_GRAYSCALE);
      rows.push(`${FER_INDEX[name]},${Array.from(gray.getData()).join(' ')},PublicTest`);
    }
  }
  rows.push(`3,${new Array(48 * 48).fill(128).join(' ')},Training`);
  writeFileSync(csv, rows.join('\r\n') + '\r\n');
});

test('a Kaggle folder maps class folder names to FER2013 indices', { skip }, async () => {
  const samples = await readDataset(folder);
  assert.equal(samples.length, 21);
  assert.deepEqual([...new Set(samples.map((s) => s.label))], [0, 1, 2, 3, 4, 5, 6]);
  const neutral = samples.find((s) => s.id.startsWith('neutral/'))!;
  assert.equal(neutral.label, 6);
  assert.equal((await readDataset(folder, { perClass: 1 })).length, 7);
});

test('fer2013.csv rows are read with their Usage filter', { skip }, async () => {
  assert.equal((await readDataset(csv)).length, 22);
  const publicTest = await readDataset(csv, { usage: 'PublicTest' });
  assert.equal(publicTest.length, 21);
  assert.equal(publicTest[0]!.image.kind, 'gray');
  await assert.rejects(readDataset(csv, { usage: 'PrivateTest' }), /holds no labelled faces with Usage PrivateTest/);
});

test('the CSV and the folder of the same faces give identical predictions through the device path', { skip }, async () => {
  const fromFolder = await evaluate({ model: peerSpec, data: { path: folder }, batchSize: 8 });
  const fromCsv = await evaluate({ model: peerSpec, data: { path: csv, usage: 'PublicTest' }, batchSize: 8 });
  assert.deepEqual(fromCsv.report.confusion, fromFolder.report.confusion);
  fromCsv.predictions.forEach((p, i) => assert.deepEqual(p.probabilities, fromFolder.predictions[i]!.probabilities));
});

test('malformed data is a ConfigError naming the problem', { skip }, async () => {
  const bad = join(work, 'bad');
  mkdirSync(join(bad, 'contempt'), { recursive: true });
  await assert.rejects(readDataset(bad), (e: Error) => e instanceof ConfigError && /unknown class folder\(s\) contempt/.test(e.message));
  const badCsv = join(work, 'bad.csv');
  writeFileSync(badCsv, 'emotion,pixels,Usage\n9,1 2 3,PublicTest\n');
  await assert.rejects(readDataset(badCsv), /row 1: emotion must be 0..6, got "9"/);
  writeFileSync(badCsv, 'emotion,pixels,Usage\n3,1 2 3,PublicTest\n');
  await assert.rejects(readDataset(badCsv), /row 1: pixels must be 2304 integers 0..255/);
  writeFileSync(badCsv, 'label,image\n');
  await assert.rejects(readDataset(badCsv), /not a fer2013.csv/);
});

test('a peer model is described by flags: shapes from the model, normalization from the flags', { skip }, async () => {
  const { model, classifier } = await loadClassifierFromOptions(peerSpec);
  try {
    assert.deepEqual(
      { layout: model.manifest.input.layout, size: [model.manifest.input.height, model.manifest.input.width], channels: model.manifest.input.channels },
      { layout: 'NCHW', size: [64, 64], channels: 1 },
    );
    assert.equal(model.manifest.output.name, 'probabilities');
  } finally {
    await classifier.close();
  }
  await assert.rejects(loadClassifierFromOptions({ ...peerSpec, output: 'logits' }), (e: Error) => e instanceof ModelError && /output/.test(e.message));
  await assert.rejects(loadClassifierFromOptions({ ...peerSpec, manifest: join(work, 'x.json') }), /either --manifest or the input flags/);
});

test('a manifest written by the user (--manifest) is checked against the model bytes', { skip }, async () => {
  const { model, classifier } = await loadClassifierFromOptions(peerSpec);
  await classifier.close();
  const manifestPath = join(work, 'peer.json');
  writeFileSync(manifestPath, JSON.stringify(model.manifest));
  const loaded = await loadClassifierFromOptions({ model: PEER, manifest: manifestPath });
  await loaded.classifier.close();
  assert.equal(loaded.model.manifestPath, manifestPath);
  writeFileSync(manifestPath, JSON.stringify({ ...model.manifest, sha256: '0'.repeat(64) }));
  await assert.rejects(loadClassifierFromOptions({ model: PEER, manifest: manifestPath }), /does not match manifest/);
});
