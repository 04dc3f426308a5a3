import cv from '../src/sdk/opencv.js';
import { readDataset } from '../src/eval/dataset.js';
import { classificationReport } from '../src/eval/metrics.js';
import { sampleFrame } from '../src/eval/sample-frame.js';
import { repeatFigure } from '../src/bench/repeat.js';
import type { Spread } from '../src/bench/stats.js';
import { EMOTION_LABELS } from '../src/sdk/types.js';
import { createHuman, HUMAN_EMOTIONS, humanEmotionOnCrop, matToHumanTensor, type HumanInstance } from './human-peer.js';

export interface HumanFigures {
  version: string;
  backend: string;
  accuracy?: { samples: number; accuracy: number; balancedAccuracy: number; macroF1: number };
  video?: { frames: number; fps: Spread; facesPerFrame: number };
}

async function humanAccuracy(human: HumanInstance, data: string, perClass?: number): Promise<NonNullable<HumanFigures['accuracy']>> {
  const samples = await readDataset(data, perClass !== undefined ? { perClass } : {});
  const probabilities: Float32Array[] = [];
  for (const [i, sample] of samples.entries()) {
    const probs = await humanEmotionOnCrop(human, sampleFrame(sample, i).data as cv.Mat);
    // Human's label order for this (gray) model is FER2013's; checked rather than assumed.
    probabilities.push(Float32Array.from(EMOTION_LABELS, (label) => probs[HUMAN_EMOTIONS.indexOf(label)]!));
  }
  const report = classificationReport(probabilities, samples.map((s) => s.label), EMOTION_LABELS);
  return { samples: report.samples, accuracy: report.accuracy, balancedAccuracy: report.balancedAccuracy, macroF1: report.macroF1 };
}

/** Human's detect() on every frame of the video, frames decoded by OpenCV in the same loop: frames/s of one pass. */
async function humanVideoPass(human: HumanInstance, video: string): Promise<{ frames: number; seconds: number; faces: number }> {
  const capture = new cv.VideoCapture(video);
  let frames = 0;
  let faces = 0;
  const start = performance.now();
  try {
    for (let mat = capture.read(); !mat.empty; mat = capture.read()) {
      const tensor = matToHumanTensor(human, mat);
      mat.release();
      const result = await human.detect(tensor);
      tensor.dispose();
      faces += result.face.filter((face) => (face.emotion?.length ?? 0) > 0).length;
      frames++;
    }
  } finally {
    capture.release();
  }
  return { frames, seconds: (performance.now() - start) / 1000, faces };
}

/** Human on the same val faces (its emotion model and preprocessing) and the same clip (detector + emotion per frame). */
export async function benchHuman(options: { data?: string; perClass?: number; video?: string; runs: number; onProgress?: (m: string) => void }): Promise<HumanFigures> {
  const { human, close } = await createHuman();
  try {
    const figures: HumanFigures = { version: human.version, backend: human.tf.getBackend() };
    if (options.data) {
      options.onProgress?.('Human: emotion accuracy on the labelled faces');
      figures.accuracy = await humanAccuracy(human, options.data, options.perClass);
    }
    if (options.video) {
      options.onProgress?.(`Human: detect + emotion on every frame of ${options.video}, ${options.runs} runs`);
      let last = { frames: 0, seconds: 0, faces: 0 };
      const fps = await repeatFigure(options.runs, async () => {
        last = await humanVideoPass(human, options.video!);
        return last.frames / last.seconds;
      });
      figures.video = { frames: last.frames, fps, facesPerFrame: last.faces / last.frames };
    }
    return figures;
  } finally {
    await close();
  }
}
