import { z } from 'zod';
import { defineDetector } from '../detector-plugin.js';

/**
 * OpenCV's Haar cascade (Viola-Jones): a plain CPU fallback with no model runtime. It gives no confidence, so every
 * face scores 1; `minNeighbors` is its strictness knob. The default cascade is Debian's opencv-data file.
 */
export const haarSchema = z
  .object({
    type: z.literal('haar'),
    cascade: z.string().min(1).default('/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml'),
    scaleFactor: z.number().gt(1).default(1.1),
    minNeighbors: z.number().int().min(0).default(5),
    minFaceSize: z.number().min(0).default(24),
  })
  .strict();

export type HaarConfig = z.infer<typeof haarSchema>;

export const haarPlugin = defineDetector({
  type: 'haar',
  schema: haarSchema,
  modelFile: { option: 'cascade', required: false, extensions: ['.xml'] },
  create: async (config) => (await import('../haar.js')).HaarDetector.create(config),
});
