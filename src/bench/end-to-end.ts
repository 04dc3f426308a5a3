import type { BackendConfigInput } from '../sdk/backends/index.js';
import type { DetectorConfigInput } from '../sdk/detectors/index.js';
import { createPipeline } from '../sdk/pipeline.js';
import { percentile } from './stats.js';

export interface EndToEndOptions {
  video: string;
  /** A model with its manifest beside it (see materializeModel for one whose manifest is elsewhere). */
  modelPath: string;
  backend?: BackendConfigInput;
  detector?: DetectorConfigInput;
  detectEvery?: number;
  maxFrames?: number;
}

export interface StagePercentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface EndToEndRun {
  frames: number;
  /** Frames on which the detector ran. */
  detectedFrames: number;
  /** Mean faces per processed frame. */
  facesPerFrame: number;
  events: number;
  seconds: number;
  fps: number;
  /** Per stage (detect, classify, track, total), over every processed frame that ran the stage, in milliseconds. */
  stages: Record<string, StagePercentiles>;
}

/**
 * One pass of the SDK pipeline (createPipeline, the same code as `fer-edge run`) over a video file read as fast as it
 * decodes, MQTT off. Wall time runs from start() (source opened) to the last frame.
 */
export async function runEndToEnd(options: EndToEndOptions): Promise<EndToEndRun> {
  const pipeline = await createPipeline(
    {
      source: { type: 'opencv', file: options.video, playback: 'fast' },
      model: options.modelPath,
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.detector ? { detector: options.detector } : {}),
      detectEvery: options.detectEvery ?? 1,
      mqtt: false,
      statsIntervalSec: 3600,
    },
    options.maxFrames !== undefined ? { maxFrames: options.maxFrames } : {},
  );
  const stageSamples: Record<string, number[]> = {};
  let frames = 0;
  let detectedFrames = 0;
  let faces = 0;
  let events = 0;
  pipeline.on('result', (result) => {
    frames++;
    if (result.detected) detectedFrames++;
    faces += result.faces.length;
    for (const [stage, ms] of Object.entries(result.latencyMs)) (stageSamples[stage] ??= []).push(ms);
  });
  pipeline.on('event', () => events++);
  const start = performance.now();
  await pipeline.run();
  const seconds = (performance.now() - start) / 1000;
  const stages: Record<string, StagePercentiles> = {};
  for (const [stage, samples] of Object.entries(stageSamples)) {
    stages[stage] = { p50: percentile(samples, 0.5), p90: percentile(samples, 0.9), p99: percentile(samples, 0.99), max: Math.max(...samples) };
  }
  return { frames, detectedFrames, facesPerFrame: frames === 0 ? 0 : faces / frames, events, seconds, fps: frames / seconds, stages };
}
