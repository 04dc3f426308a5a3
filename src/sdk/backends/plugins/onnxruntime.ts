import { z } from 'zod';
import { defineBackend } from '../backend-plugin.js';

export const executionProviderSchema = z.enum(['tensorrt', 'cuda', 'cpu']);
export type ExecutionProvider = z.infer<typeof executionProviderSchema>;

export const onnxRuntimeConfigSchema = z
  .object({
    type: z.literal('onnxruntime'),
    /** Tried in this order; the first one that loads wins, CPU is the last resort. */
    executionProviders: z.array(executionProviderSchema).min(1).default(['tensorrt', 'cuda', 'cpu']),
    /**
     * 0 = the runtime's default (one spinning thread per core). 1 by default: the pipeline already overlaps decoding,
     * detection and classification across the cores, and the runtime's spinning pool competes with them for the same
     * cores (measured slower end to end: bench/RESULTS.md).
     */
    intraOpThreads: z.number().int().min(0).default(1),
    graphOptimizationLevel: z.enum(['disabled', 'basic', 'extended', 'all']).default('all'),
    deviceId: z.number().int().min(0).default(0),
    /**
     * TensorRT build options for Jetson. The onnxruntime-node binding (1.30) forwards only deviceId to TensorRT, so
     * these are exported as the ORT_TENSORRT_* environment variables, the TensorRT EP's other configuration channel;
     * whether a given ORT build honours them is logged as unconfirmed when TensorRT runs (see createOnnxRuntimeBackend).
     */
    tensorrt: z
      .object({
        engineCachePath: z.string().min(1).optional(),
        fp16: z.boolean().default(false),
        int8: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type OnnxRuntimeConfig = z.infer<typeof onnxRuntimeConfigSchema>;

/** ONNX Runtime (onnxruntime-node): TensorRT, CUDA or CPU execution providers; also runs ONNX made in memory. */
export const onnxRuntimePlugin = defineBackend({
  type: 'onnxruntime',
  schema: onnxRuntimeConfigSchema,
  modelFormat: 'onnx',
  extensions: ['.onnx'],
  inMemoryOnnx: true,
  withThreads: (threads) => ({ type: 'onnxruntime' as const, ...(threads ? { intraOpThreads: threads } : {}) }),
  create: async (source, config) => (await import('../onnxruntime.js')).createOnnxRuntimeBackend(source, config),
});
