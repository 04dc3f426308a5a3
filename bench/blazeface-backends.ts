/**
 * BlazeFace on its two back ends, back to back in one process: ONNX Runtime on the .tflite converted at load (the
 * default) against tfjs-tflite-node on the .tflite, one thread each, on the same frames of the Tears of Steel clip.
 * Alternates which back end goes first on each frame, so that a machine whose load changes treats both alike.
 * Times the model alone (on the tensor the detector makes) and the whole detect(); also the conversion.
 *
 *   node --import tsx bench/blazeface-backends.ts [--frames 100] [--step 2] [--warmup 10]
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { readVideoFrames } from '../src/bench/video-frames.js';
import { tfliteToOnnx } from '../src/core/tflite/to-onnx.js';
import { createBackend } from '../src/sdk/backends/index.js';
import { blazeFaceInput } from '../src/sdk/detectors/blazeface.js';
import { createDetector } from '../src/sdk/detectors/index.js';
import { matToFrame } from '../src/sdk/preprocess/frame-mat.js';
import type { Mat } from '../src/sdk/opencv.js';
import { sharedPath } from '../test/helpers/shared.js';

const { values } = parseArgs({ options: { frames: { type: 'string', default: '100' }, step: { type: 'string', default: '2' }, warmup: { type: 'string', default: '10' } } });
const frames = readVideoFrames(sharedPath('media', 'tears_of_steel_10s_640x360.mp4'), Number(values.frames), Number(values.step));
const warmup = Number(values.warmup);
const packageDir = dirname(createRequire(import.meta.url).resolve('@mediapipe/face_detection'));
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): string => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
  return `median ${at(0.5)} [p10 ${at(0.1)}, p90 ${at(0.9)}]`;
}

/** Times `a` and `b` on every item, alternating which goes first. */
async function alternate(count: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>): Promise<[number[], number[]]> {
  const times: [number[], number[]] = [[], []];
  const timed = async (which: 0 | 1, i: number): Promise<void> => {
    const start = performance.now();
    await (which === 0 ? a : b)(i);
    times[which].push(performance.now() - start);
  };
  for (let i = 0; i < count; i++) {
    const first = i % 2 === 0 ? 0 : 1;
    await timed(first, i);
    await timed(first === 0 ? 1 : 0, i);
  }
  return times;
}

console.log(`${frames.length} frames (step ${values.step}), one thread per back end, load average ${load()}`);
for (const [range, size] of [['short', 128], ['full', 192]] as const) {
  const path = join(packageDir, `face_detection_${range}_range.tflite`);
  const bytes = readFileSync(path);
  const conversions: number[] = [];
  let onnx: Uint8Array = new Uint8Array();
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    onnx = tfliteToOnnx(bytes, path);
    conversions.push(performance.now() - start);
  }
  console.log(`${range} range: conversion ${conversions.map((ms) => ms.toFixed(1)).join(', ')} ms`);

  const tflite = await createBackend(path, { type: 'tflite', threads: 1 });
  const converted = await createBackend({ onnx, path }, { type: 'onnxruntime', executionProviders: ['cpu'], intraOpThreads: 1 });
  const dims = [1, size, size, 3];
  const inputs = frames.map((frame) => blazeFaceInput(matToFrame((frame.data as Mat).copy(), 0, 0), size).pixels);
  for (let i = 0; i < warmup; i++) for (const backend of [tflite, converted]) await backend.run({ input: { data: inputs[i % inputs.length]!, dims } });
  const [modelTflite, modelOnnx] = await alternate(
    inputs.length,
    (i) => tflite.run({ input: { data: inputs[i]!, dims } }),
    (i) => converted.run({ input: { data: inputs[i]!, dims } }),
  );
  await Promise.all([tflite.close(), converted.close()]);
  console.log(`${range} range, model only   tflite: ${summary(modelTflite)}   onnx: ${summary(modelOnnx)} ms`);

  const onTflite = await createDetector({ type: 'blazeface', range, backend: { type: 'tflite', threads: 1 } });
  const onOnnx = await createDetector({ type: 'blazeface', range });
  for (let i = 0; i < warmup; i++) for (const detector of [onTflite, onOnnx]) await detector.detect(frames[i % frames.length]!);
  const faces: [number, number] = [0, 0];
  const [detectTflite, detectOnnx] = await alternate(
    frames.length,
    async (i) => (faces[0] += (await onTflite.detect(frames[i]!)).length),
    async (i) => (faces[1] += (await onOnnx.detect(frames[i]!)).length),
  );
  await Promise.all([onTflite.close?.(), onOnnx.close?.()]);
  console.log(`${range} range, detect()     tflite: ${summary(detectTflite)}   onnx: ${summary(detectOnnx)} ms   faces ${faces[0]} / ${faces[1]}`);
}
console.log(`load average at the end ${load()}`);
