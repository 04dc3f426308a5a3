import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runBench, type BenchReport } from '../src/bench/run-bench.js';
import type { Spread } from '../src/bench/stats.js';
import { loadClassifierFromOptions } from '../src/eval/model-options.js';
import { runCli } from './helpers/cli.js';
import { CLIP, clipPath } from './helpers/clip.js';
import { PEER_MODEL } from './helpers/model-fixtures.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const PEER = sharedPath(PEER_MODEL);
const VAL = sharedPath('data', 'fer2013', 'val');
const skip =
  skipUnlessShared(PEER_MODEL) || skipUnlessShared('data', 'fer2013', 'val') || skipUnlessShared(CLIP);
const peerSpec = { model: PEER, mean: [0.5], std: [0.5], output: 'probabilities' };

const work = tempDirForTests('fer-edge-bench-');
const faces = join(work, 'faces');
// The peer with a manifest beside it, standing in for a shipped model (the pipeline loads models that way).
const withManifest = join(work, 'mini-xception.onnx');

before(async () => {
  if (skip) return;
  for (const name of readdirSync(VAL)) {
    mkdirSync(join(faces, name), { recursive: true });
    for (const file of readdirSync(join(VAL, name)).sort().slice(0, 2)) symlinkSync(join(VAL, name, file), join(faces, name, file));
  }
  const { model, classifier } = await loadClassifierFromOptions(peerSpec);
  await classifier.close();
  symlinkSync(PEER, withManifest);
  writeFileSync(join(work, 'mini-xception.json'), JSON.stringify({ ...model.manifest, crop: { expand: 1.25 } }));
});

function assertMeasured(s: Spread, runs: number, what: string): void {
  assert.equal(s.runs, runs, what);
  for (const v of [s.min, s.p25, s.median, s.p75, s.max]) assert.ok(Number.isFinite(v) && v > 0, `${what}: ${JSON.stringify(s)}`);
  assert.ok(s.min <= s.p25 && s.p25 <= s.median && s.median <= s.p75 && s.p75 <= s.max, `${what}: ${JSON.stringify(s)}`);
}

test('the bench harness measures every section on a tiny workload and reports well-formed figures', { skip }, async () => {
  const report: BenchReport = await runBench({
    models: [
      { label: 'ours', spec: { model: withManifest } },
      { label: 'peer', spec: peerSpec },
    ],
    faces: { path: faces },
    video: clipPath,
    detectors: [{ type: 'blazeface' }],
    batchSizes: [1, 4],
    repeat: { runs: 2, iterations: 3, warmup: 1 },
    endToEnd: { detectEvery: 2, maxFrames: 12 },
  });
  assert.ok(report.decode);
  assert.equal(report.decode.frames, 240);
  assertMeasured(report.decode.ffmpegFps, 2, 'ffmpeg decode');
  assertMeasured(report.decode.opencvFps, 2, 'OpenCV decode');
  assert.equal(report.detectors.length, 1);
  assertMeasured(report.detectors[0]!.perFrame, 2, 'detector');
  assert.ok(report.detectors[0]!.facesPerFrame > 0, 'the clip shows faces');
  assert.equal(report.models.length, 2);
  for (const model of report.models) {
    assert.deepEqual(
      model.latency.map((l) => l.batch),
      [1, 4],
    );
    for (const l of model.latency) {
      assertMeasured(l.perFace, 2, `${model.label} batch ${l.batch}`);
      assert.ok(Math.abs(l.perFace.median * l.batch - l.perCall.median) < 1e-9);
    }
    assert.equal(model.accuracy?.samples, 14);
    assert.ok(model.endToEnd);
    assertMeasured(model.endToEnd.fps, 2, `${model.label} end to end`);
    assert.equal(model.endToEnd.medianRun.frames, 12);
    // detectEvery 2 over 12 frames: 6 scheduled detections, plus the next frame after the first one that finds the
    // clip's face (confirmOnNextFrame, on by default).
    assert.equal(model.endToEnd.medianRun.detectedFrames, 7);
    for (const stage of ['detect', 'classify', 'track', 'total']) assert.ok(model.endToEnd.medianRun.stages[stage], stage);
    assert.ok(model.peakRssMiB > 50);
  }
  // Same model both times: identical accuracy; the ratios compare the second against the first.
  assert.equal(report.models[0]!.accuracy!.accuracy, report.models[1]!.accuracy!.accuracy);
  assert.equal(report.ratios.length, 1);
  assert.equal(report.ratios[0]!.accuracyDifference, 0);
  assert.ok(report.ratios[0]!.perFaceSpeedup! > 0 && report.ratios[0]!.endToEndFpsRatio! > 0);
});

test('fer-edge bench prints the tables and the comparison', { skip }, () => {
  const run = runCli(['bench', '--model', withManifest, '--compare', PEER, '--peer-mean', '0.5', '--peer-std', '0.5',
    '--data', faces, '--per-class', '1', '--batch', '1,2', '--runs', '2', '--iterations', '2', '--warmup', '1', '--detector', 'blazeface', 'haar']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /classification, ms per face/);
  assert.match(run.stdout, /mini-xception\.onnx\s+onnx fp32 onnxruntime\/cpu\s+[\d.]+ \[[\d.]+-[\d.]+\]/);
  assert.match(run.stdout, /accuracy on 7 labelled faces/);
  assert.match(run.stdout, /mini-xception\.onnx relative to mini_xception_fer2013\.onnx: [\d.]+x the per-face speed \(batch 1\), accuracy \+0\.00 points/);
  assert.match(run.stdout, /peak RSS \d+ MiB/);
});
