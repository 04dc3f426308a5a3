import { extname } from 'node:path';
import { z } from 'zod';
import { ConfigError, ModelError } from '../errors.js';
import type { ModelBackend } from './model-backend.js';
import { createOnnxRuntimeBackend, onnxRuntimeConfigSchema } from './onnxruntime.js';
import { createTfliteBackend, tfliteConfigSchema } from './tflite.js';

/** `auto` picks the back end from the model's extension (.onnx -> onnxruntime, .tflite -> tflite) with its defaults. */
export const autoBackendConfigSchema = z
  .object({
    type: z.literal('auto'),
    /** Passed on as onnxruntime's intraOpThreads or tflite's threads. */
    threads: z.number().int().min(1).optional(),
  })
  .strict();

export const backendConfigSchema = z.discriminatedUnion('type', [autoBackendConfigSchema, onnxRuntimeConfigSchema, tfliteConfigSchema]);
export type BackendConfigInput = z.input<typeof backendConfigSchema>;
export type BackendConfig = z.output<typeof backendConfigSchema>;

const BACKEND_BY_EXTENSION: Record<string, 'onnxruntime' | 'tflite'> = { '.onnx': 'onnxruntime', '.tflite': 'tflite' };

export function parseBackendConfig(input: unknown): BackendConfig {
  const parsed = backendConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`backend config: field "${issue.path.join('.') || 'type'}": ${issue.message}`);
  }
  return parsed.data;
}

/** Loads `modelPath` with the configured back end (default: auto). */
export async function createBackend(modelPath: string, config: BackendConfigInput = { type: 'auto' }): Promise<ModelBackend> {
  let resolved = parseBackendConfig(config);
  if (resolved.type === 'auto') {
    const type = BACKEND_BY_EXTENSION[extname(modelPath).toLowerCase()];
    if (!type) throw new ModelError(`cannot tell the back end for ${modelPath}: expected a .onnx or .tflite file`);
    const threads = resolved.threads;
    resolved = parseBackendConfig(
      type === 'onnxruntime' ? { type, ...(threads ? { intraOpThreads: threads } : {}) } : { type, ...(threads ? { threads } : {}) },
    );
  }
  switch (resolved.type) {
    case 'onnxruntime':
      return createOnnxRuntimeBackend(modelPath, resolved);
    case 'tflite':
      return createTfliteBackend(modelPath, resolved);
    default:
      throw new ConfigError(`backend type "${resolved.type}" cannot load a model`);
  }
}

export type { ModelBackend, TensorSpec } from './model-backend.js';
export { onnxRuntimeConfigSchema, type OnnxRuntimeConfig } from './onnxruntime.js';
export { tfliteConfigSchema, type TfliteConfig } from './tflite.js';
