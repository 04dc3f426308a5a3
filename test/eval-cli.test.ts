import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import cv from '../src/sdk/opencv.js';
import { runCli } from './helpers/cli.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const PEER = sharedPath(PEER_MODEL);
const VAL = sharedPath('data', 'fer2013', 'val');
const skip = skipUnlessShared(PEER_MODEL) || skipUnlessShared('data', 'fer2013', 'val');
const PEER_FLAGS = ['--model', PEER, '--mean', '0.5', '--std', '0.5', '--output', 'probabilities'];

const work = tempDirForTests('fer-edge-eval-cli-');
const subset = join(work, 'val-subset');

before(() => {
  if (skip) return;
  // 5 real val faces per class, as a Kaggle-layout folder of links.
  for (const name of readdirSync(VAL)) {
    mkdirSync(join(subset, name), { recursive: true });
    for (const file of readdirSync(join(VAL, name)).sort().slice(0, 5)) symlinkSync(join(VAL, name, file), join(subset, name, file));
  }
});

test('eval --json prints the report as JSON only, draws the confusion matrix PNG and writes predictions', { skip }, () => {
  const png = join(work, 'confusion.png');
  const predictions = join(work, 'predictions.jsonl');
  const run = runCli(['eval', ...PEER_FLAGS, '--data', subset, '--json', '--confusion-png', png, '--predictions', predictions]);
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.data.samples, 35);
  assert.equal(report.model.runtime, 'onnxruntime');
  assert.equal(report.report.perClass.length, 7);
  assert.equal(report.report.confusion.flat().reduce((a: number, b: number) => a + b, 0), 35);
  for (const key of ['accuracy', 'balancedAccuracy', 'macroF1', 'cohenKappa', 'logLoss', 'ece', 'facesPerSecond']) {
    const value = key === 'facesPerSecond' ? report[key] : report.report[key];
    assert.ok(Number.isFinite(value) && value >= 0, `${key} = ${value}`);
  }
  const image = cv.imread(png);
  assert.ok(image.cols > 500 && image.rows > 500, `PNG ${image.cols}x${image.rows}`);
  // Not a blank canvas: the heat map shades cells.
  assert.ok(image.cvtColor(cv.COLOR_BGR2GRAY).threshold(200, 255, cv.THRESH_BINARY_INV).countNonZero() > 1000);
  const lines = readFileSync(predictions, 'utf8').trim().split('\n');
  assert.equal(lines.length, 35);
  assert.equal(JSON.parse(lines[0]!).probabilities.length, 7);
});

test('the text report shows headline metrics, the per-class table and the confusion matrix', { skip }, () => {
  const run = runCli(['eval', ...PEER_FLAGS, '--data', subset, '--per-class', '2']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /: 14 faces/);
  for (const text of ['accuracy', 'balanced accuracy', 'macro F1', "Cohen's kappa", 'log loss', 'ECE (15 bins)', 'confusion matrix', 'surprise']) {
    assert.ok(run.stdout.includes(text), `missing "${text}"`);
  }
});

test('eval --flip averages each face with its mirror: mirrored images give the same predictions', { skip }, () => {
  // The subset, mirrored left to right into lossless PNGs.
  const mirroredDir = join(work, 'val-mirrored');
  for (const name of readdirSync(subset)) {
    mkdirSync(join(mirroredDir, name), { recursive: true });
    for (const file of readdirSync(join(subset, name))) cv.imwrite(join(mirroredDir, name, file.replace(/\.jpg$/, '.png')), cv.imread(join(subset, name, file)).flip(1));
  }
  const probabilities = (data: string, ...flags: string[]): number[][] => {
    const file = join(work, `predictions-${flags.length}-${data === subset ? 'plain' : 'mirrored'}.jsonl`);
    const run = runCli(['eval', ...PEER_FLAGS, '--data', data, '--json', '--predictions', file, ...flags]);
    assert.equal(run.status, 0, run.stderr);
    return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line).probabilities as number[]);
  };
  const plain = probabilities(subset);
  const mirroredPlain = probabilities(mirroredDir);
  const flipped = probabilities(subset, '--flip');
  const mirroredFlipped = probabilities(mirroredDir, '--flip');
  const largestDifference = (a: number[][], b: number[][]): number => Math.max(...a.flatMap((row, i) => row.map((v, k) => Math.abs(v - b[i]![k]!))));
  assert.ok(largestDifference(plain, mirroredPlain) > 0.01, 'the peer is not mirror-invariant by itself');
  assert.ok(largestDifference(flipped, mirroredFlipped) < 1e-5, `flip TTA differs by ${largestDifference(flipped, mirroredFlipped)}`);
  // And it is the mean of the two plain passes.
  const mean = plain.map((row, i) => row.map((v, k) => (v + mirroredPlain[i]![k]!) / 2));
  assert.ok(largestDifference(flipped, mean) < 1e-5);
});

test('bad input is one line on stderr and a non-zero exit', { skip }, () => {
  const cases: Array<[string[], RegExp, number]> = [
    [['eval', ...PEER_FLAGS, '--data', join(work, 'nope')], /^fer-edge: --data .*nope does not exist\n$/, 2],
    [['eval', '--model', PEER, '--data', subset], /^fer-edge: model .*mini_xception_fer2013.onnx has no manifest: .*\n$/, 1],
  ];
  for (const [args, message, status] of cases) {
    const run = runCli(args);
    assert.equal(run.status, status, run.stderr);
    assert.match(run.stderr, message);
  }
});
