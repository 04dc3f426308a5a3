/**
 * Per-frame latency of each face detector on the Tears of Steel clip (640x360, CC-BY Blender Foundation).
 * Measures detect() only (letterbox, tensor, inference, decoding, NMS), single process, frames decoded beforehand.
 *
 *   node --import tsx bench/detectors.ts [--every 4] [--only yunet,haar] [--threads 1]
 */
import { parseArgs } from 'node:util';
import { createSource } from '../src/sdk/capture/index.js';
import { createDetector, type DetectorConfigInput } from '../src/sdk/detectors/index.js';
import { LatencyWindow } from '../src/sdk/metrics/latency.js';
import type { Frame } from '../src/sdk/types.js';
import { sharedPath } from '../test/helpers/shared.js';

const { values } = parseArgs({
  options: { every: { type: 'string', default: '4' }, only: { type: 'string' }, threads: { type: 'string', default: '1' }, warmup: { type: 'string', default: '3' } },
});
const every = Number(values.every);
const threads = Number(values.threads);
const clip = sharedPath('media', 'tears_of_steel_10s_640x360.mp4');

const detectors: Record<string, DetectorConfigInput> = {
  // BlazeFace's default: its .tflite converted to ONNX at load and run on ONNX Runtime; -tflite: on tfjs-tflite-node.
  'blazeface-short': { type: 'blazeface', range: 'short', backend: { type: 'onnxruntime', executionProviders: ['cpu'], intraOpThreads: threads } },
  'blazeface-short-tflite': { type: 'blazeface', range: 'short', backend: { type: 'tflite', threads } },
  'blazeface-full': { type: 'blazeface', range: 'full', backend: { type: 'onnxruntime', executionProviders: ['cpu'], intraOpThreads: threads } },
  'blazeface-full-tflite': { type: 'blazeface', range: 'full', backend: { type: 'tflite', threads } },
  yunet: { type: 'yunet', model: sharedPath('models', 'face', 'yunet_2023mar.onnx'), backend: { type: 'onnxruntime', executionProviders: ['cpu'], intraOpThreads: threads } },
  'ultraface-rfb': { type: 'ultraface', model: sharedPath('models', 'face', 'ultraface_rfb_320.onnx'), backend: { type: 'onnxruntime', executionProviders: ['cpu'], intraOpThreads: threads } },
  'ultraface-slim': { type: 'ultraface', model: sharedPath('models', 'face', 'ultraface_slim_320.onnx'), backend: { type: 'onnxruntime', executionProviders: ['cpu'], intraOpThreads: threads } },
  haar: { type: 'haar' },
};

const source = createSource({ type: 'opencv', file: clip, playback: 'fast' });
await source.open();
const frames: Frame[] = [];
for (let frame = await source.read(); frame; frame = await source.read()) if (frame.seq % every === 0) frames.push(frame);
await source.close();

const only = values.only?.split(',');
console.log(`${frames.length} frames of ${clip} (every ${every}th), ${threads} thread(s), warm-up ${values.warmup}`);
console.log('detector                 median ms   p95 ms   max ms   faces/frame');
for (const [name, config] of Object.entries(detectors)) {
  if (only && !only.includes(name)) continue;
  const detector = await createDetector(config);
  for (let i = 0; i < Number(values.warmup); i++) await detector.detect(frames[i % frames.length] as Frame);
  const latency = new LatencyWindow(frames.length);
  let faces = 0;
  for (const frame of frames) {
    const start = performance.now();
    faces += (await detector.detect(frame)).length;
    latency.record(performance.now() - start);
  }
  await detector.close?.();
  const { p50, p95, max } = latency.summary();
  console.log(`${name.padEnd(24)} ${p50.toFixed(1).padStart(9)} ${p95.toFixed(1).padStart(8)} ${max.toFixed(1).padStart(8)} ${(faces / frames.length).toFixed(2).padStart(13)}`);
}
