import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { LoadedModel } from '../sdk/model/load-model.js';
import { manifestPathFor } from '../sdk/model/manifest.js';

/**
 * The pipeline loads a model from its path with the manifest beside it. A model whose manifest came from elsewhere
 * (`--manifest`, or flags for a peer published without one) is linked into a temporary folder with its manifest
 * written beside it; `dispose` removes the folder. The model file itself is never copied or changed.
 */
export async function materializeModel(model: LoadedModel): Promise<{ path: string; dispose: () => Promise<void> }> {
  if (manifestPathFor(model.path) === model.manifestPath) return { path: model.path, dispose: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'fer-edge-bench-'));
  const path = join(dir, basename(model.path));
  await symlink(model.path, path);
  await writeFile(manifestPathFor(path), JSON.stringify(model.manifest, null, 2));
  return { path, dispose: () => rm(dir, { recursive: true, force: true }) };
}
