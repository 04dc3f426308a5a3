import { z } from 'zod';
import { defineBackend } from '../backend-plugin.js';

export const tfliteConfigSchema = z
  .object({
    type: z.literal('tflite'),
    /**
     * 1 by default: the pipeline already overlaps decoding, detection and classification across the cores, and a
     * second interpreter thread slows inference down badly once another core is busy (bench/RESULTS.md).
     */
    threads: z.number().int().min(1).default(1),
    /**
     * "xnnpack" (default): the XNNPACK delegate of tfjs-tflite-node's TFLite library, float and int8 operators, through
     * fer-edge's plugin (native/; falls back to "cpu" with a logged reason when it was not built); "cpu": TFLite's
     * built-in CPU kernels, several times slower; "edgetpu" loads the Coral delegate (libedgetpu.so.1 must be installed).
     */
    delegate: z.enum(['xnnpack', 'cpu', 'edgetpu']).default('xnnpack'),
    /** Which Edge TPU: "usb", "pci", ":0" ... (libedgetpu's `device` option); unset = the first found. */
    edgetpuDevice: z.string().min(1).optional(),
  })
  .strict();
export type TfliteConfig = z.infer<typeof tfliteConfigSchema>;

/** TensorFlow Lite (tfjs-tflite-node) with the XNNPACK, built-in CPU or Edge TPU delegate; .tflite files only. */
export const tflitePlugin = defineBackend({
  type: 'tflite',
  schema: tfliteConfigSchema,
  modelFormat: 'tflite',
  extensions: ['.tflite'],
  inMemoryOnnx: false,
  withThreads: (threads) => ({ type: 'tflite' as const, ...(threads ? { threads } : {}) }),
  modelRole: (config) => (config.delegate === 'edgetpu' ? 'edgetpu' : 'default'),
  create: async (source, config) => {
    const { createTfliteBackend } = await import('../tflite.js');
    return createTfliteBackend(source as string, config);
  },
});
