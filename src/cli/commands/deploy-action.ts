import { join, resolve } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { Bundle } from '../../deploy/bundle.js';
import { installBundle, listReleases, packagedInstaller, rollbackRelease, type ServiceOptions } from '../../deploy/deploy.js';
import { checkEnvFile } from '../../deploy/env-file.js';
import { LocalHost } from '../../deploy/local-host.js';
import { prepareBundle } from '../../deploy/prepare-bundle.js';
import type { ReleaseHost } from '../../deploy/release-host.js';
import { assertSafeHost, assertSafePath } from '../../deploy/safe-values.js';
import { SshHost } from '../../deploy/ssh-host.js';
import { packageRoot, packageVersion } from '../../core/package-paths.js';
import { DEFAULT_ROBOT_ROOT } from '../../deploy/deploy.js';
import type { DeployFlags, Output } from './deploy.js';

function positiveInteger(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new ConfigError(`${flag} must be a positive whole number (got '${value}')`);
  return number;
}

/** The deploy root: on the robot (absolute, default /opt/fer-edge) or a directory here for --dest without --host. */
function deployRoot(flags: DeployFlags): string {
  if (flags.host) return assertSafePath(flags.dest ?? DEFAULT_ROBOT_ROOT, '--dest');
  return assertSafePath(resolve(flags.dest ?? DEFAULT_ROBOT_ROOT), '--dest');
}

function openHost(flags: DeployFlags, root: string): ReleaseHost {
  if (flags.host) {
    return new SshHost(
      {
        host: assertSafeHost(flags.host),
        port: flags.port === undefined ? undefined : positiveInteger(flags.port, '--port'),
        identityFile: flags.identity,
        options: flags.sshOption,
      },
      root,
    );
  }
  if (!flags.dest) throw new ConfigError('say where to deploy: --host user@robot, or --dest <dir> for a directory on this machine');
  return new LocalHost(root);
}

function serviceOptions(flags: DeployFlags): ServiceOptions {
  return {
    healthTimeoutSeconds: positiveInteger(flags.healthTimeout, '--health-timeout'),
    serviceCommand: flags.serviceCommand === undefined ? undefined : assertSafePath(flags.serviceCommand, '--service-command'),
  };
}

/** `kept`: the bundle file outlives the command (--out, --bundle); a dry run's own is removed as it ends. */
function printBundle(out: Output, bundle: Bundle, json: boolean | undefined, kept: boolean): void {
  if (json) {
    out.write(JSON.stringify({ bundle: kept ? bundle.path : null, sha256: bundle.sha256, ...bundle.info }, null, 2) + '\n');
    return;
  }
  const { info } = bundle;
  const lines = [
    `bundle ${kept ? bundle.path : '(not kept: --out <file> writes it)'} (sha256 ${bundle.sha256})`,
    `  release ${info.version} for ${info.target}, root ${info.root}, fer-edge ${info.fer_edge_version}`,
    `  model ${info.model.file} (${info.model.name}, ${info.model.precision} ${info.model.format})`,
    ...info.files.map((file) => `  ${file.sha256.slice(0, 16)}  ${String(file.size).padStart(9)}  ${file.path}`),
  ];
  out.write(lines.join('\n') + '\n');
}

/** `fer-edge deploy`: bundle, install, list or roll back, per the flags. */
export async function deployCommand(flags: DeployFlags, out: Output): Promise<void> {
  const root = deployRoot(flags);
  if (flags.envFile) checkEnvFile(flags.envFile);
  const cleanup: (() => void)[] = [];
  try {
    if (flags.list || flags.rollback) {
      const host = openHost(flags, root);
      try {
        const installer = packagedInstaller(join(packageRoot(), 'targets'));
        if (flags.rollback) await rollbackRelease(host, installer, serviceOptions(flags));
        const releases = await listReleases(host, installer);
        if (flags.json) out.write(JSON.stringify(releases, null, 2) + '\n');
        else if (releases.length === 0) out.write(`no releases in ${host.description}\n`);
        else {
          for (const r of releases) {
            const flagsText = [r.current && 'current', r.healthy && 'healthy', r.failed && 'failed'].filter(Boolean).join(', ');
            out.write(`${r.current ? '*' : ' '} ${r.version}${flagsText ? `  (${flagsText})` : ''}\n`);
          }
        }
      } finally {
        await host.close();
      }
      return;
    }

    const prepared = await prepareBundle({
      root,
      targetsDir: join(packageRoot(), 'targets'),
      ferEdgeVersion: packageVersion(),
      target: flags.target,
      modelsDir: resolve(flags.modelsDir ?? join(packageRoot(), 'models')),
      modelPath: flags.model,
      configPath: flags.config,
      outPath: flags.out,
      bundlePath: flags.bundle,
    });
    cleanup.push(prepared.dispose);
    const { bundle, installer } = prepared;
    if (flags.dryRun || (flags.out && !flags.host && !flags.dest)) {
      printBundle(out, bundle, flags.json, Boolean(flags.out || flags.bundle));
      if (flags.dryRun && !flags.json) out.write(`dry run: nothing copied; would install into ${flags.host ? `${flags.host}:` : ''}${root}\n`);
      return;
    }
    const options = { ...serviceOptions(flags), ...(flags.envFile ? { envFile: resolve(flags.envFile) } : {}) };
    const host = openHost(flags, root);
    try {
      await installBundle(host, bundle, installer, options);
    } finally {
      await host.close();
    }
    const { info } = bundle;
    if (flags.json) out.write(JSON.stringify({ deployed: info.version, target: info.target, host: host.description, healthy: true }) + '\n');
    else out.write(`deployed ${info.version} (${info.target}, ${info.model.file}) to ${host.description}: healthy\n`);
  } finally {
    for (const dispose of cleanup) dispose();
  }
}

