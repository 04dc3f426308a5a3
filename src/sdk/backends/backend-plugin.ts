import type { z } from 'zod';
import type { ModelRole } from '../model/default-model.js';
import type { ModelBackend, ModelSource } from './model-backend.js';

/**
 * One runtime a model can run on, as the registry (registry.ts) knows it. Everything else (the `backend` config
 * union, `--backend` choices, which back end a model file's extension picks, the shipped model a back end loads
 * without one) is derived from these descriptors. `create` loads the runtime with `import()`, so that validating a
 * configuration never loads a native module.
 */
export interface BackendPlugin<Schema extends z.ZodObject<{ type: z.ZodLiteral<string> }> = z.ZodObject<{ type: z.ZodLiteral<string> }>> {
  readonly type: z.output<Schema>['type'];
  /** The `backend` section when `type` is this back end: a strict zod object with `type: z.literal(...)`. */
  readonly schema: Schema;
  /** The model format it loads, which names the shipped model in models/index.json. */
  readonly modelFormat: 'onnx' | 'tflite';
  /** Model file extensions (lower case, with the dot) that `backend: { type: auto }` runs on this back end. */
  readonly extensions: readonly string[];
  /** Whether it runs an ONNX model made in memory (a ModelSource that is not a path). */
  readonly inMemoryOnnx: boolean;
  /** Its configuration with `threads` (from `auto` or `--threads`) in its own terms. */
  withThreads(threads: number | undefined): z.input<Schema>;
  /** Which shipped model it runs when none is given (the Edge TPU's for its delegate); default: `default`. */
  modelRole?(config: z.output<Schema>): ModelRole;
  create(source: ModelSource, config: z.output<Schema>): Promise<ModelBackend>;
}

/** Keeps a plugin's config type when it is declared (a typed identity). */
export function defineBackend<Schema extends z.ZodObject<{ type: z.ZodLiteral<string> }>>(plugin: BackendPlugin<Schema>): BackendPlugin<Schema> {
  return plugin;
}
