import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { ModelError } from '../../core/errors.js';
import { manifestPathFor, readManifest } from './manifest.js';
import type { ModelManifest } from './manifest-types.js';

/** A model file whose manifest has been read, validated and checked against the file's bytes. */
export interface LoadedModel {
  path: string;
  manifestPath: string;
  manifest: ModelManifest;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const FORMAT_BY_EXTENSION: Record<string, ModelManifest['format']> = { '.onnx': 'onnx', '.tflite': 'tflite' };

/**
 * Finds the manifest beside `modelPath`, validates it and checks the model file against it (sha256, format).
 * Whether the runtime's tensors match the manifest is checked once a back end has loaded the file
 * (see assertBackendMatchesManifest).
 */
export async function loadModel(modelPath: string): Promise<LoadedModel> {
  const path = resolve(modelPath);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ModelError(`model ${path} is not a file`);
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw new ModelError(`model ${path} not found`);
  }
  const manifestPath = manifestPathFor(path);
  const manifest = await readManifest(manifestPath, path);

  const format = FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (format !== manifest.format) {
    throw new ModelError(`model ${path}: its manifest ${manifestPath} says format "${manifest.format}" but the file is ${format ?? 'neither .onnx nor .tflite'}`);
  }
  const actual = await sha256File(path);
  if (actual !== manifest.sha256.toLowerCase()) {
    throw new ModelError(
      `model ${path} does not match its manifest (sha256 ${actual}, manifest says ${manifest.sha256.toLowerCase()}): corrupt or replaced`,
    );
  }
  return { path, manifestPath, manifest };
}
