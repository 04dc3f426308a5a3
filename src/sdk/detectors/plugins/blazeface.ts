import { z } from 'zod';
import { commonDetectorOptions, detectorBackendOption } from '../common-options.js';
import { defineDetector } from '../detector-plugin.js';

/**
 * MediaPipe BlazeFace, the default detector: `short` range (faces within ~2 m, 128x128 input) or `full` range
 * (~5 m, 192x192). The .tflite files come from the @mediapipe/face_detection package unless `model` points elsewhere.
 */
export const blazeFaceSchema = z
  .object({
    type: z.literal('blazeface'),
    range: z.enum(['short', 'full']).default('short'),
    model: z.string().min(1).optional(),
    /**
     * Default: ONNX Runtime (one intra-op thread) on the .tflite converted to ONNX in memory as it loads (our own
     * converter, src/core/tflite/to-onnx.ts: milliseconds). `{ type: 'tflite' }` runs the .tflite itself on
     * tfjs-tflite-node (no XNNPACK there: several times slower). An .onnx `model` is loaded as it is.
     */
    backend: detectorBackendOption,
    ...commonDetectorOptions({ scoreThreshold: 0.5, nmsThreshold: 0.3 }),
  })
  .strict();

export type BlazeFaceConfig = z.infer<typeof blazeFaceSchema>;

export const blazeFacePlugin = defineDetector({
  type: 'blazeface',
  schema: blazeFaceSchema,
  modelFile: { option: 'model', required: false, extensions: ['.tflite', '.onnx'] },
  create: async (config, open) => (await import('../blazeface.js')).BlazeFaceDetector.create(config, open),
});
