import { z } from 'zod';
import { backendConfigSchema } from '../backends/index.js';

/** The options every detector has, with its own defaults. */
export function commonDetectorOptions(defaults: { scoreThreshold: number; nmsThreshold: number }) {
  return {
    /** Detections scoring below this are discarded. */
    scoreThreshold: z.number().min(0).max(1).default(defaults.scoreThreshold),
    /** Overlap (IoU) above which two detections are the same face. */
    nmsThreshold: z.number().min(0).max(1).default(defaults.nmsThreshold),
    /** Faces whose box is narrower or shorter than this many frame pixels are discarded. */
    minFaceSize: z.number().min(0).default(0),
  };
}

/** The `backend` option of model-based detectors: the same back ends (and accelerators) as the emotion model. */
export const detectorBackendOption = backendConfigSchema.optional();
