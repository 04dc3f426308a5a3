import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { ModelError } from '../core/errors.js';
import { childLogger } from '../core/log.js';
import { manifestPathFor, sha256File, type ModelManifest } from '../sdk/model/index.js';
import type { SelectedModel } from './model-selection.js';

const run = promisify(execFile);
const log = childLogger('deploy');

async function compilerVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('edgetpu_compiler', ['--version']);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/**
 * Compile an int8 TFLite model for the Edge TPU into `outDir` when edgetpu_compiler is installed (it exists for
 * x86-64 Debian/Ubuntu only). Without it the plain model is returned: the Edge TPU delegate then runs every op on the
 * CPU, so this is said loudly.
 */
export async function compileForEdgeTpu(model: SelectedModel, outDir: string): Promise<SelectedModel> {
  const version = await compilerVersion();
  if (!version) {
    log.warn(`edgetpu_compiler not found: bundling ${basename(model.modelPath)} uncompiled; it will run on the CPU, not the Edge TPU`);
    return model;
  }
  try {
    await run('edgetpu_compiler', ['--show_operations', '--out_dir', outDir, model.modelPath]);
  } catch (error) {
    throw new ModelError(`edgetpu_compiler failed on ${model.modelPath}: ${(error as { stderr?: string }).stderr?.trim() || error}`);
  }
  const modelPath = join(outDir, basename(model.modelPath).replace(/\.tflite$/, '_edgetpu.tflite'));
  const manifestPath = manifestPathFor(modelPath);
  const manifest: ModelManifest = {
    ...(JSON.parse(readFileSync(model.manifestPath, 'utf8')) as ModelManifest),
    name: `${model.manifest.name}_edgetpu`,
    sha256: await sha256File(modelPath),
    source: { model: basename(model.modelPath), sha256: model.manifest.sha256 },
    training: { ...model.manifest.training, edgetpu_compiler: version },
  };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  return { modelPath, manifestPath, manifest };
}
