import { z } from 'zod';
import { defineDetector } from '../detector-plugin.js';

/**
 * No detection: the whole frame (less a margin) is one face. For cameras or image folders that already show one
 * cropped face per picture (a kiosk camera at face height, a folder of face crops), where a detector only adds time
 * and misses.
 */
export const wholeFrameSchema = z
  .object({
    type: z.literal('whole-frame'),
    /** Fraction of the width and height left out on each side. */
    margin: z.number().min(0).max(0.4).default(0),
  })
  .strict();

export const wholeFramePlugin = defineDetector({
  type: 'whole-frame',
  schema: wholeFrameSchema,
  create: async ({ margin }) => ({
    name: 'whole-frame',
    detect: async (frame) => [
      {
        box: { x: frame.width * margin, y: frame.height * margin, width: frame.width * (1 - 2 * margin), height: frame.height * (1 - 2 * margin) },
        score: 1,
      },
    ],
  }),
});
