import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readConfigFile } from '../sdk/config-file.js';
import { ConfigError } from '../core/errors.js';
import { buildBundle, INSTALLER, openBundle, type Bundle } from './bundle.js';
import { packagedInstaller } from './deploy.js';
import { compileForEdgeTpu } from './edgetpu-compile.js';
import { selectModel, useModel } from './model-selection.js';
import { resolveTarget } from './target-profile.js';

export interface BundleRequest {
  /** Deploy root on the robot (absolute, validated). */
  root: string;
  /** targets/ of this package. */
  targetsDir: string;
  ferEdgeVersion: string;
  /** jetson, jetson-nano, rpi-coral...; required unless `bundlePath`. */
  target?: string;
  modelsDir: string;
  /** An explicit model (manifest beside it) instead of the target's pick. */
  modelPath?: string;
  /** The user's run configuration file, merged over the profile defaults. */
  configPath?: string;
  /** Write the bundle here (else into a temporary directory). */
  outPath?: string;
  /** Install this prebuilt bundle instead of building one. */
  bundlePath?: string;
}

export interface PreparedBundle {
  bundle: Bundle;
  /** The release installer to run for it (the copy inside the bundle). */
  installer: string;
  /** Remove the temporary files (not `outPath`). */
  dispose(): void;
}

async function build(request: BundleRequest, workDir: string): Promise<PreparedBundle['bundle']> {
  if (!request.target) throw new ConfigError('--target is required (e.g. --target jetson or --target rpi)');
  const target = resolveTarget(request.targetsDir, request.target);
  let model = request.modelPath
    ? await useModel(resolve(request.modelPath), target.model, target.name)
    : await selectModel(request.modelsDir, target.model, target.name);
  if (target.model.edgetpu_compile) model = await compileForEdgeTpu(model, workDir);
  return buildBundle({
    target,
    model,
    userConfig: request.configPath ? readConfigFile(request.configPath) : {},
    root: request.root,
    outPath: request.outPath ? resolve(request.outPath) : join(workDir, 'bundle.tar.gz'),
    ferEdgeVersion: request.ferEdgeVersion,
    installerPath: packagedInstaller(request.targetsDir),
  });
}

/** Build the bundle for a target, or open a prebuilt one and check that it suits this deploy. */
export async function prepareBundle(request: BundleRequest): Promise<PreparedBundle> {
  const workDir = mkdtempSync(join(tmpdir(), 'fer-edge-deploy-'));
  const dispose = () => rmSync(workDir, { recursive: true, force: true });
  try {
    if (!request.bundlePath) {
      return { bundle: await build(request, workDir), installer: packagedInstaller(request.targetsDir), dispose };
    }
    const opened = await openBundle(resolve(request.bundlePath));
    const disposeAll = () => (rmSync(opened.dir, { recursive: true, force: true }), dispose());
    const { target, root } = opened.info;
    if (request.target && request.target !== target && !target.startsWith(`${request.target}-`)) {
      disposeAll();
      throw new ConfigError(`${request.bundlePath} is a bundle for ${target}, not ${request.target}`);
    }
    if (root !== request.root) {
      disposeAll();
      throw new ConfigError(`${request.bundlePath} was built for deploy root ${root}; deploy it with --dest ${root}`);
    }
    return { bundle: opened, installer: join(opened.dir, INSTALLER), dispose: disposeAll };
  } catch (error) {
    dispose();
    throw error;
  }
}
