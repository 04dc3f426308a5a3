import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../core/package-paths.js';
import { ModelError } from '../../core/errors.js';
import type { ModelManifest } from './manifest-types.js';

const modelFiles = z.object({ onnx: z.string().min(1).optional(), tflite: z.string().min(1).optional() });

/**
 * models/index.json: which shipped model is the default for each format, and optionally for the Edge TPU (the
 * Edge-TPU-friendly student, whose int8 TFLite runs wholly on it; see docs/model-manifest.md).
 */
const modelIndexSchema = z.object({ default: modelFiles, edgetpu: modelFiles.optional() });
type ModelIndex = z.infer<typeof modelIndexSchema>;

/** `default`: what the SDK loads without a model; `edgetpu`: the same for the Edge TPU delegate (else the default). */
export type ModelRole = 'default' | 'edgetpu';

export function modelsDirectory(): string {
  return join(packageRoot(), 'models');
}

function readModelIndex(modelsDir: string): { index: ModelIndex; indexPath: string } {
  const indexPath = join(modelsDir, 'index.json');
  if (!existsSync(indexPath)) {
    throw new ModelError(`no shipped model: ${indexPath} does not exist; pass a model path (--model)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(indexPath, 'utf8'));
  } catch (error) {
    throw new ModelError(`${indexPath} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = modelIndexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelError(`${indexPath}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  return { index: parsed.data, indexPath };
}

/** The path of the shipped default model for `format` (and `role`), from models/index.json in the package. */
export function defaultModelPath(format: ModelManifest['format'] = 'onnx', modelsDir: string = modelsDirectory(), role: ModelRole = 'default'): string {
  const { index, indexPath } = readModelIndex(modelsDir);
  const file = (role === 'edgetpu' ? index.edgetpu?.[format] : undefined) ?? index.default[format];
  if (!file) throw new ModelError(`${indexPath} names no default ${format} model; pass a model path (--model)`);
  const path = join(modelsDir, file);
  if (!existsSync(path)) throw new ModelError(`${indexPath} names ${file} as the default ${format} model, but ${path} does not exist`);
  return path;
}

/** The files models/index.json names for `role` (the Edge TPU's, else the default's), in any format. */
export function indexedModelFiles(modelsDir: string = modelsDirectory(), role: ModelRole = 'default'): string[] {
  const { index } = readModelIndex(modelsDir);
  const files = (role === 'edgetpu' ? index.edgetpu : undefined) ?? index.default;
  return [files.onnx, files.tflite].filter((f): f is string => f !== undefined);
}
