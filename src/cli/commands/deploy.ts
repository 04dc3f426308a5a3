import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../../core/package-paths.js';
import { DEFAULT_ROBOT_ROOT } from '../../deploy/deploy.js';
import { describeTargets } from '../../deploy/target-profile.js';

export type Output = { write(text: string): unknown };

export interface DeployFlags {
  target?: string;
  host?: string;
  dest?: string;
  config?: string;
  modelsDir?: string;
  model?: string;
  bundle?: string;
  out?: string;
  dryRun?: boolean;
  list?: boolean;
  rollback?: boolean;
  healthTimeout: string;
  serviceCommand?: string;
  envFile?: string;
  port?: string;
  identity?: string;
  sshOption: string[];
  json?: boolean;
}

/** `out`: where results go (stdout; tests pass a collector). Progress and errors go to the logger and the caller. */
export function registerDeploy(program: Command, out: Output = process.stdout): void {
  program
    .command('deploy')
    .description(
      'Bundle the right model, run configuration and service for a target, install it on a robot over SSH (or into a ' +
        'local directory), restart the service, wait for health and roll back when it does not come up.',
    )
    .option('-t, --target <target>', `a profile from targets/: ${describeTargets(join(packageRoot(), 'targets'))}`)
    .option('--host <user@robot>', 'install on this robot over SSH (keys only, never a password prompt)')
    .option('--dest <dir>', `deploy root: on the robot (default ${DEFAULT_ROBOT_ROOT}) or, without --host, a directory here`)
    .option('-c, --config <file>', 'run configuration (YAML or JSON) overriding the target profile defaults')
    .option('--models-dir <dir>', 'where to look for the target model (default: the package models/ directory)')
    .option('--model <file>', 'deploy this model (with its manifest beside it) instead of the one the target picks')
    .option('--bundle <file>', 'install this bundle (from --out) instead of building one')
    .option('--out <file>', 'write the bundle to this file (and stop, unless --host or --dest is given)')
    .option('--dry-run', 'build and show the bundle (kept only with --out); copy and change nothing')
    .option('--list', 'list the releases on the host (* marks the current one)')
    .option('--rollback', 'switch back to the previous healthy release')
    .option('--health-timeout <seconds>', 'how long to wait for the service to report healthy before rolling back', '120')
    .option('--service-command <path>', 'executable on the host run as `<path> restart|stop <root>` instead of systemctl')
    .option('--env-file <file>', 'install this KEY=value file (FER_EDGE_MQTT_PASSWORD=...) on the robot as /etc/fer-edge/env, root-only; never bundled')
    .option('-p, --port <port>', 'SSH port (default: ssh\'s own, 22 unless ~/.ssh/config says otherwise)')
    .option('-i, --identity <file>', 'SSH private key')
    .option('-o, --ssh-option <option>', 'extra ssh option, e.g. UserKnownHostsFile=... (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--json', 'machine-readable output')
    .action(async (flags: DeployFlags) => {
      const { deployCommand } = await import('./deploy-action.js');
      await deployCommand(flags, out);
    });
}
