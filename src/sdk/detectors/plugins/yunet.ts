import { z } from 'zod';
import { commonDetectorOptions, detectorBackendOption } from '../common-options.js';
import { defineDetector } from '../detector-plugin.js';

/** YuNet (OpenCV zoo, face_detection_yunet_2023mar.onnx): 640x640 BGR input, 5 landmarks, good on small faces. */
export const yunetSchema = z
  .object({
    type: z.literal('yunet'),
    model: z.string().min(1),
    backend: detectorBackendOption,
    ...commonDetectorOptions({ scoreThreshold: 0.6, nmsThreshold: 0.3 }),
  })
  .strict();

export type YunetConfig = z.infer<typeof yunetSchema>;

export const yunetPlugin = defineDetector({
  type: 'yunet',
  schema: yunetSchema,
  modelFile: { option: 'model', required: true, extensions: ['.onnx'] },
  create: async (config, open) => (await import('../yunet.js')).YunetDetector.create(config, open),
});
