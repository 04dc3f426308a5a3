import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../../cli/version.js';
import { ModelError } from '../errors.js';
import type { ModelManifest } from './manifest-types.js';

/** models/index.json: which shipped model is the default for each format (see docs/model-manifest.md). */
const modelIndexSchema = z.object({
  default: z.object({ onnx: z.string().min(1).optional(), tflite: z.string().min(1).optional() }),
});

export function modelsDirectory(): string {
  return join(packageRoot(), 'models');
}

/** The path of the shipped default model for `format`, from models/index.json in the package. */
export function defaultModelPath(format: ModelManifest['format'] = 'onnx', modelsDir: string = modelsDirectory()): string {
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
  const file = parsed.data.default[format];
  if (!file) throw new ModelError(`${indexPath} names no default ${format} model; pass a model path (--model)`);
  const path = join(modelsDir, file);
  if (!existsSync(path)) throw new ModelError(`${indexPath} names ${file} as the default ${format} model, but ${path} does not exist`);
  return path;
}
