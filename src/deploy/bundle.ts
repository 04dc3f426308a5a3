import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as tar from 'tar';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { FerEdgeError } from '../core/errors.js';
import { sha256File } from '../sdk/model/index.js';
import type { SelectedModel } from './model-selection.js';
import { refuseSecrets, resolveRunConfig, validateRunConfig } from './run-config.js';
import type { TargetProfile } from './target-profile.js';

const fileEntrySchema = z.strictObject({ path: z.string(), sha256: z.string(), size: z.number() });

export const bundleInfoSchema = z.looseObject({
  schema: z.literal('fer-edge/bundle@1'),
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  target: z.string(),
  fer_edge_version: z.string(),
  created: z.string(),
  root: z.string(),
  model: z.strictObject({ file: z.string(), manifest: z.string(), name: z.string(), format: z.string(), precision: z.string() }),
  unit: z.string(),
  files: z.array(fileEntrySchema),
});

export type BundleInfo = z.infer<typeof bundleInfoSchema>;

export interface Bundle {
  /** The .tar.gz on this machine. */
  path: string;
  sha256: string;
  info: BundleInfo;
}

export interface BundleOptions {
  target: TargetProfile;
  model: SelectedModel;
  userConfig: Record<string, unknown>;
  /** Deploy root on the robot (absolute, already validated). */
  root: string;
  /** Where to write the .tar.gz. */
  outPath: string;
  ferEdgeVersion: string;
  /** The release installer (targets/install-release.sh). */
  installerPath: string;
  now?: Date;
}

export const INSTALLER = 'install-release.sh';
export const HEALTH_FILE = 'state/health.json';

/** Sortable and unique per deploy: 20261122-031502-123-jetson-orin. */
export function releaseVersion(target: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '');
  return `${stamp}-${target}`;
}

/**
 * Write a bundle: the model and its manifest, the resolved run config, the systemd unit, the release installer,
 * VERSION, bundle.json (with the sha256 of every file) and SHA256SUMS (the same sums, for `sha256sum -c` on the robot).
 */
export async function buildBundle(options: BundleOptions): Promise<Bundle> {
  const { target, model, root } = options;
  const now = options.now ?? new Date();
  const version = releaseVersion(target.name, now);
  const releaseDir = `${root}/releases/${version}`;
  const staging = mkdtempSync(join(tmpdir(), 'fer-edge-bundle-'));
  try {
    const modelFile = `model/${basename(model.modelPath)}`;
    const manifestFile = `model/${basename(model.manifestPath)}`;
    mkdirSync(join(staging, 'model'));
    copyFileSync(model.modelPath, join(staging, modelFile));
    copyFileSync(model.manifestPath, join(staging, manifestFile));

    const config = resolveRunConfig(target.config, options.userConfig, {
      root,
      modelPath: `${releaseDir}/${modelFile}`,
      healthFile: `${root}/${HEALTH_FILE}`,
    });
    validateRunConfig(config, `run configuration for ${target.name}`);
    refuseSecrets(config, `run configuration for ${target.name}`);
    const header = `# fer-edge run configuration for ${target.name}, release ${version} (written by fer-edge deploy)\n`;
    writeFileSync(join(staging, 'config.yaml'), header + toYaml(config));

    const unit = readFileSync(join(target.dir, target.unit), 'utf8').replaceAll('@ROOT@', root);
    writeFileSync(join(staging, target.unit), unit);
    copyFileSync(options.installerPath, join(staging, INSTALLER));
    writeFileSync(join(staging, 'VERSION'), version + '\n');

    const payload = ['VERSION', 'config.yaml', INSTALLER, manifestFile, modelFile, target.unit];
    const files = [];
    for (const path of payload) {
      files.push({ path, sha256: await sha256File(join(staging, path)), size: statSync(join(staging, path)).size });
    }
    const info: BundleInfo = {
      schema: 'fer-edge/bundle@1',
      version,
      target: target.name,
      fer_edge_version: options.ferEdgeVersion,
      created: now.toISOString(),
      root,
      model: {
        file: modelFile,
        manifest: manifestFile,
        name: model.manifest.name,
        format: model.manifest.format,
        precision: model.manifest.precision,
      },
      unit: target.unit,
      files,
    };
    writeFileSync(join(staging, 'bundle.json'), JSON.stringify(info, null, 2) + '\n');
    const sums = [...files, { path: 'bundle.json', sha256: await sha256File(join(staging, 'bundle.json')) }];
    writeFileSync(join(staging, 'SHA256SUMS'), sums.map((f) => `${f.sha256}  ${f.path}\n`).join(''));

    await tar.create({ gzip: true, file: options.outPath, cwd: staging, portable: true }, [...payload, 'bundle.json', 'SHA256SUMS']);
    return { path: options.outPath, sha256: await sha256File(options.outPath), info };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export interface OpenedBundle extends Bundle {
  /** A temporary directory holding the unpacked bundle (for its installer); remove it when done. */
  dir: string;
}

/** Unpack a bundle file to read its bundle.json and installer. Its checksums are verified where it is installed. */
export async function openBundle(path: string): Promise<OpenedBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'fer-edge-bundle-'));
  try {
    await tar.extract({ file: path, cwd: dir, strict: true });
    const parsed = bundleInfoSchema.safeParse(JSON.parse(readFileSync(join(dir, 'bundle.json'), 'utf8')));
    if (!parsed.success) throw new Error(parsed.error.issues[0]?.message);
    statSync(join(dir, INSTALLER));
    return { path, sha256: await sha256File(path), info: parsed.data, dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new FerEdgeError(`${path} is not a fer-edge bundle: ${(error as Error).message}`);
  }
}
