import { extname } from 'node:path';
import { z } from 'zod';
import { ConfigError, ModelError } from '../../core/errors.js';
import { type ModelBackend, type ModelSource, sourcePath } from './model-backend.js';
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

/** The configuration a model will run with: `auto` resolved from the model's extension to its back end's defaults. */
export function resolveBackendConfig(source: ModelSource, config: BackendConfigInput = { type: 'auto' }): BackendConfig {
  const resolved = parseBackendConfig(config);
  if (resolved.type !== 'auto') return resolved;
  const modelPath = sourcePath(source);
  const type = typeof source === 'string' ? BACKEND_BY_EXTENSION[extname(modelPath).toLowerCase()] : 'onnxruntime';
  if (!type) throw new ModelError(`cannot tell the back end for ${modelPath}: expected a .onnx or .tflite file`);
  const threads = resolved.threads;
  return parseBackendConfig(
    type === 'onnxruntime' ? { type, ...(threads ? { intraOpThreads: threads } : {}) } : { type, ...(threads ? { threads } : {}) },
  );
}

/** Loads a model file (or in-memory ONNX, which only onnxruntime runs) with the configured back end (default: auto). */
export async function createBackend(source: ModelSource, config: BackendConfigInput = { type: 'auto' }): Promise<ModelBackend> {
  const modelPath = sourcePath(source);
  const resolved = resolveBackendConfig(source, config);
  switch (resolved.type) {
    case 'onnxruntime':
      return createOnnxRuntimeBackend(source, resolved);
    case 'tflite':
      if (typeof source !== 'string') throw new ConfigError(`the tflite back end cannot run ${modelPath} converted to ONNX: it loads .tflite files`);
      return createTfliteBackend(source, resolved);
    default:
      throw new ConfigError(`backend type "${resolved.type}" cannot load a model`);
  }
}

export { sourcePath, type ModelBackend, type ModelSource, type TensorSpec } from './model-backend.js';
export { onnxRuntimeConfigSchema, type OnnxRuntimeConfig } from './onnxruntime.js';
export { tfliteConfigSchema, type TfliteConfig } from './tflite.js';
