import { z } from 'zod';
import { commonDetectorOptions, detectorBackendOption } from '../common-options.js';
import { defineDetector } from '../detector-plugin.js';

/** Ultra-Light-Fast-Generic-Face-Detector (RFB or slim, 320x240): boxes only, no landmarks. Very fast on CPU. */
export const ultraFaceSchema = z
  .object({
    type: z.literal('ultraface'),
    model: z.string().min(1),
    backend: detectorBackendOption,
    ...commonDetectorOptions({ scoreThreshold: 0.7, nmsThreshold: 0.3 }),
  })
  .strict();

export type UltraFaceConfig = z.infer<typeof ultraFaceSchema>;

export const ultraFacePlugin = defineDetector({
  type: 'ultraface',
  schema: ultraFaceSchema,
  modelFile: { option: 'model', required: true, extensions: ['.onnx'] },
  create: async (config, open) => (await import('../ultraface.js')).UltraFaceDetector.create(config, open),
});
