import { join } from 'node:path';
import { childLogger } from '../core/log.js';
import type { Bundle } from './bundle.js';
import type { ReleaseHost } from './release-host.js';

const log = childLogger('deploy');

/** Where releases go on a robot unless --dest says otherwise. */
export const DEFAULT_ROBOT_ROOT = '/opt/fer-edge';

export interface ServiceOptions {
  /** Seconds to wait for the health file after a restart before rolling back. */
  healthTimeoutSeconds: number;
  /**
   * An executable on the host run as `<cmd> restart|stop <root>` instead of systemctl (hosts without systemd,
   * containers, tests). It must return once the service is started.
   */
  serviceCommand?: string;
}

export interface InstallOptions extends ServiceOptions {
  /**
   * A systemd environment file (KEY=value lines: FER_EDGE_MQTT_PASSWORD=...) to install on the robot, root-only with
   * mode 600, where the unit reads it. It travels beside the bundle, never in it, and its content is never logged.
   */
  envFile?: string;
}

export interface Release {
  version: string;
  current: boolean;
  /** Came up healthy at least once and is still in the rollback history. */
  healthy: boolean;
  /** Did not report healthy after its last install. */
  failed: boolean;
}

function serviceArgs(options: ServiceOptions): string[] {
  return [String(options.healthTimeoutSeconds), ...(options.serviceCommand ? [options.serviceCommand] : [])];
}

function logLines(stdout: string): void {
  for (const line of stdout.split('\n').filter(Boolean)) log.info(line);
}

/**
 * Copy a bundle to the host and run its installer there: verify the checksums, unpack into releases/<version>,
 * switch `current`, restart, wait for health, roll back when none comes. Throws DeployError with the installer's reason.
 */
export async function installBundle(host: ReleaseHost, bundle: Bundle, installerPath: string, options: InstallOptions): Promise<void> {
  const { version } = bundle.info;
  log.info(`copying release ${version} (${bundle.sha256.slice(0, 12)}) to ${host.description}`);
  const files = [{ localPath: bundle.path, name: `${version}.tar.gz` }];
  if (options.envFile) files.push({ localPath: options.envFile, name: `${version}.env` });
  const [remoteBundle, remoteEnv] = await host.upload(files);
  const envArgs = remoteEnv ? ['--env-file', remoteEnv] : [];
  const stdout = await host.runScript(installerPath, ['install', ...envArgs, host.root, remoteBundle!, bundle.sha256, ...serviceArgs(options)]);
  logLines(stdout);
}

export async function listReleases(host: ReleaseHost, installerPath: string): Promise<Release[]> {
  const stdout = await host.runScript(installerPath, ['list', host.root]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [version = '', ...flags] = line.trim().split(/\s+/);
      return { version, current: flags.includes('current'), healthy: flags.includes('healthy'), failed: flags.includes('failed') };
    });
}

/** Switch back to the previous healthy release (and wait for its health); throws DeployError when there is none. */
export async function rollbackRelease(host: ReleaseHost, installerPath: string, options: ServiceOptions): Promise<void> {
  logLines(await host.runScript(installerPath, ['rollback', host.root, ...serviceArgs(options)]));
}

/** The installer this fer-edge ships (list and rollback use it; an install uses the one in its bundle). */
export function packagedInstaller(targetsDir: string): string {
  return join(targetsDir, 'install-release.sh');
}
