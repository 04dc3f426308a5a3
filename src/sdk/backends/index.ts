import { extname } from 'node:path';
import { z } from 'zod';
import { pluginSchemas } from '../plugin-schemas.js';
import { ConfigError, ModelError } from '../../core/errors.js';
import { defaultModelPath } from '../model/default-model.js';
import type { BackendPlugin } from './backend-plugin.js';
import { type ModelBackend, type ModelSource, sourcePath } from './model-backend.js';
import { BACKEND_PLUGINS } from './registry.js';

/** `auto` picks the back end from the model's extension (.onnx -> onnxruntime, .tflite -> tflite) with its defaults. */
export const autoBackendConfigSchema = z
  .object({
    type: z.literal('auto'),
    /** Passed on as the chosen back end's thread count (onnxruntime's intraOpThreads, tflite's threads). */
    threads: z.number().int().min(1).optional(),
  })
  .strict();

export const backendConfigSchema = z.discriminatedUnion('type', [
  autoBackendConfigSchema,
  ...pluginSchemas(BACKEND_PLUGINS),
]);
export type BackendConfigInput = z.input<typeof backendConfigSchema>;
export type BackendConfig = z.output<typeof backendConfigSchema>;
type PluginConfig = Exclude<BackendConfig, { type: 'auto' }>;

/** The back ends' keys, for `--backend` choices and messages. */
export const BACKEND_TYPES: readonly PluginConfig['type'][] = BACKEND_PLUGINS.map((plugin) => plugin.type);

function pluginFor(type: string): BackendPlugin {
  const plugin = BACKEND_PLUGINS.find((p) => p.type === type);
  if (!plugin) throw new ConfigError(`backend type "${type}": choose one of auto, ${BACKEND_TYPES.join(', ')}`);
  return plugin as unknown as BackendPlugin;
}

export function parseBackendConfig(input: unknown): BackendConfig {
  const parsed = backendConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`backend config: field "${issue.path.join('.') || 'type'}": ${issue.message}`);
  }
  return parsed.data;
}

/** A back end's configuration from a type (`auto` or a back end's key) and a thread count, as the CLI flags give them. */
export function backendConfigFor(type: string, threads?: number): BackendConfigInput {
  if (type === 'auto') return { type: 'auto', ...(threads ? { threads } : {}) };
  return pluginFor(type).withThreads(threads) as BackendConfigInput;
}

/** The configuration a model will run with: `auto` resolved from the model's extension to its back end's defaults. */
export function resolveBackendConfig(source: ModelSource, config: BackendConfigInput = { type: 'auto' }): PluginConfig {
  const resolved = parseBackendConfig(config);
  if (resolved.type !== 'auto') return resolved;
  const modelPath = sourcePath(source);
  const extension = extname(modelPath).toLowerCase();
  const plugin =
    typeof source === 'string' ? BACKEND_PLUGINS.find((p) => p.extensions.includes(extension)) : BACKEND_PLUGINS.find((p) => p.inMemoryOnnx);
  if (!plugin) {
    const known = BACKEND_PLUGINS.flatMap((p) => p.extensions).join(' or ');
    throw new ModelError(`cannot tell the back end for ${modelPath}: expected a ${known} file`);
  }
  return parseBackendConfig(plugin.withThreads(resolved.threads)) as PluginConfig;
}

/** Loads a model file (or in-memory ONNX, for back ends that run it) with the configured back end (default: auto). */
export async function createBackend(source: ModelSource, config: BackendConfigInput = { type: 'auto' }): Promise<ModelBackend> {
  const resolved = resolveBackendConfig(source, config);
  const plugin = pluginFor(resolved.type);
  if (typeof source !== 'string' && !plugin.inMemoryOnnx) {
    throw new ConfigError(`the ${plugin.type} back end cannot run ${sourcePath(source)} converted to ONNX: it loads ${plugin.extensions.join(', ')} files`);
  }
  return plugin.create(source, resolved);
}

/**
 * The shipped model a back end runs when none is given: the default model in the back end's format, or the Edge
 * TPU's for its delegate (models/index.json). `auto` and no back end: the default ONNX model.
 */
export function defaultModelFor(config: BackendConfigInput = { type: 'auto' }): string {
  const resolved = parseBackendConfig(config);
  if (resolved.type === 'auto') return defaultModelPath('onnx');
  const plugin = pluginFor(resolved.type);
  return defaultModelPath(plugin.modelFormat, undefined, plugin.modelRole?.(resolved) ?? 'default');
}

export { sourcePath, type ModelBackend, type ModelSource, type TensorSpec } from './model-backend.js';
export { onnxRuntimeConfigSchema, type OnnxRuntimeConfig } from './plugins/onnxruntime.js';
export { tfliteConfigSchema, type TfliteConfig } from './plugins/tflite.js';
export type { BackendPlugin } from './backend-plugin.js';
