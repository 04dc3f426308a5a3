import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ModelError } from '../core/errors.js';
import { indexedModelFiles, manifestPathFor, parseManifest, qdqFlavorOf, readManifest, sha256File, type ModelManifest, type QdqFlavorName } from '../sdk/model/index.js';
import type { ModelChoice } from './target-profile.js';

export interface SelectedModel {
  modelPath: string;
  manifestPath: string;
  manifest: ModelManifest;
}

/** int8 ONNX: the QDQ flavour the target wants (tensorrt unless its profile names one); undefined otherwise. */
function wantedFlavor(choice: ModelChoice): QdqFlavorName | undefined {
  return choice.format === 'onnx' && choice.precision === 'int8' ? (choice.qdq_flavor ?? 'tensorrt') : undefined;
}

function fitsFormat(manifest: ModelManifest, choice: ModelChoice): boolean {
  return manifest.format === choice.format && manifest.precision === choice.precision && qdqFlavorOf(manifest) === wantedFlavor(choice);
}

function fits(manifest: ModelManifest, choice: ModelChoice): boolean {
  return (
    fitsFormat(manifest, choice) &&
    (choice.include === undefined || manifest.name.includes(choice.include)) &&
    (choice.exclude === undefined || !manifest.name.includes(choice.exclude))
  );
}

function describe(choice: ModelChoice): string {
  const filters = [choice.include && `name containing '${choice.include}'`, choice.exclude && `name without '${choice.exclude}'`];
  const flavor = wantedFlavor(choice);
  return [`${choice.precision} ${choice.format}${flavor ? ` (${flavor} QDQ)` : ''}`, ...filters.filter(Boolean)].join(', ');
}

async function verified(modelPath: string, manifestPath: string, manifest: ModelManifest): Promise<SelectedModel> {
  const actual = await sha256File(modelPath);
  if (actual !== manifest.sha256.toLowerCase()) {
    throw new ModelError(`${modelPath}: sha256 ${actual} does not match its manifest (${manifest.sha256})`);
  }
  return { modelPath, manifestPath, manifest };
}

/** An explicit --model: it must have a manifest beside it and suit the target. */
export async function useModel(modelPath: string, choice: ModelChoice, targetName: string): Promise<SelectedModel> {
  if (!existsSync(modelPath)) throw new ModelError(`model not found: ${modelPath}`);
  const manifestPath = manifestPathFor(modelPath);
  const manifest = await readManifest(manifestPath, modelPath);
  if (!fitsFormat(manifest, choice)) {
    const flavor = qdqFlavorOf(manifest);
    throw new ModelError(
      `${modelPath} is a ${manifest.precision} ${manifest.format}${flavor ? ` (${flavor} QDQ)` : ''} model; target ${targetName} needs ${describe(choice)}`,
    );
  }
  return verified(modelPath, manifestPath, manifest);
}

/** Manifests in a directory; other JSON files (models/index.json) and broken manifests are not candidates. */
function manifestsIn(modelsDir: string): { manifestPath: string; manifest: ModelManifest }[] {
  if (!existsSync(modelsDir)) return [];
  const found = [];
  for (const entry of readdirSync(modelsDir).filter((name) => name.endsWith('.json')).sort()) {
    const manifestPath = join(modelsDir, entry);
    try {
      found.push({ manifestPath, manifest: parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath) });
    } catch {
      // not a model manifest
    }
  }
  return found;
}

/**
 * When several models fit (models/ ships the students with and without distillation and the cnn4 reference in every
 * format), the family that models/index.json names for the target's role (its profile's `family`: the default's, or
 * the Edge TPU's) wins, as long as that leaves exactly one.
 */
function preferIndexedFamily<T extends { manifest: ModelManifest }>(modelsDir: string, candidates: T[], choice: ModelChoice): T[] {
  if (candidates.length < 2) return candidates;
  let families: string[];
  try {
    families = indexedModelFiles(modelsDir, choice.family).map((file) => basename(file).split('.')[0]!);
  } catch {
    return candidates;
  }
  const preferred = candidates.filter(({ manifest }) => families.includes(manifest.name));
  return preferred.length === 1 ? preferred : candidates;
}

/** The one model in `modelsDir` whose manifest fits the target's choice (its index family first). */
export async function selectModel(modelsDir: string, choice: ModelChoice, targetName: string): Promise<SelectedModel> {
  const candidates = manifestsIn(modelsDir)
    .filter(({ manifest }) => fits(manifest, choice))
    .map(({ manifestPath, manifest }) => ({ manifestPath, manifest, modelPath: manifestPath.replace(/\.json$/, `.${manifest.format}`) }))
    .filter(({ modelPath }) => existsSync(modelPath));
  const [only, ...others] = preferIndexedFamily(modelsDir, candidates, choice);
  if (!only) throw new ModelError(`no ${describe(choice)} model for target ${targetName} in ${modelsDir}`);
  if (others.length > 0) {
    const names = candidates.map((c) => basename(c.modelPath)).join(', ');
    throw new ModelError(`several models fit target ${targetName} in ${modelsDir} (${names}): choose one with --model`);
  }
  return verified(only.modelPath, only.manifestPath, only.manifest);
}
