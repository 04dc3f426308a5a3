import { execFile, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeployError, installerFailure } from './deploy-error.js';
import type { ReleaseHost } from './release-host.js';
import { shellQuote } from './safe-values.js';

const run = promisify(execFile);

export interface SshOptions {
  /** `[user@]host`, already validated. */
  host: string;
  port?: number;
  identityFile?: string;
  /** Extra `-o` options (e.g. UserKnownHostsFile=...). */
  options?: string[];
  connectTimeoutSeconds?: number;
}

/**
 * A robot reached with the system's OpenSSH client (ssh, scp) run through execFile with argument arrays.
 * Chosen over the ssh2 package because OpenSSH already does what a robot team relies on and ssh2 would make us
 * re-implement: ~/.ssh/config (aliases, ProxyJump through a bastion), the agent and hardware keys, and known_hosts
 * host key checking. BatchMode keeps it from ever prompting; one multiplexed connection (ControlMaster) serves the
 * whole deploy. The remote command is made of fixed words and validated, quoted values only.
 */
export class SshHost implements ReleaseHost {
  readonly description: string;
  private readonly controlDir = mkdtempSync(join(tmpdir(), 'fer-edge-ssh-'));

  constructor(
    private readonly ssh: SshOptions,
    readonly root: string,
  ) {
    this.description = `${ssh.host}:${root}`;
  }

  private commonOptions(): string[] {
    const options = [
      'BatchMode=yes',
      `ConnectTimeout=${this.ssh.connectTimeoutSeconds ?? 10}`,
      'ControlMaster=auto',
      `ControlPath=${join(this.controlDir, '%C')}`,
      'ControlPersist=60',
      ...(this.ssh.options ?? []),
    ];
    const args = options.flatMap((option) => ['-o', option]);
    if (this.ssh.identityFile) args.push('-i', this.ssh.identityFile);
    return args;
  }

  private async exec(words: string[]): Promise<{ stdout: string; stderr: string }> {
    const portArgs = this.ssh.port ? ['-p', String(this.ssh.port)] : [];
    const remoteCommand = words.map(shellQuote).join(' ');
    return run('ssh', [...this.commonOptions(), ...portArgs, '--', this.ssh.host, remoteCommand], { maxBuffer: 16 << 20 });
  }

  /** ssh exits 255 when it could not connect or authenticate; anything else is the remote command's own status. */
  private failure(error: unknown): DeployError {
    const failed = error as { stderr?: string; code?: number | string };
    if (failed.code === 255) {
      const reason = (failed.stderr ?? '').trim().split('\n').at(-1) ?? 'ssh failed';
      return new DeployError(`cannot reach ${this.ssh.host}${this.ssh.port ? ` port ${this.ssh.port}` : ''}: ${reason}`);
    }
    return installerFailure(failed.stderr ?? '', failed.code, this.description);
  }

  async upload(files: { localPath: string; name: string }[]): Promise<string[]> {
    const incoming = `${this.root}/incoming`;
    try {
      await this.exec(['mkdir', '-p', '--', incoming]);
    } catch (error) {
      throw this.failure(error);
    }
    const portArgs = this.ssh.port ? ['-P', String(this.ssh.port)] : [];
    for (const { localPath, name } of files) {
      try {
        await run('scp', ['-q', ...this.commonOptions(), ...portArgs, '--', localPath, `${this.ssh.host}:${incoming}/${name}`]);
      } catch (error) {
        const reason = ((error as { stderr?: string }).stderr ?? '').trim().split('\n').at(-1);
        throw new DeployError(`copying ${name} to ${this.description} failed: ${reason || (error as Error).message}`);
      }
    }
    return files.map(({ name }) => `${incoming}/${name}`);
  }

  /** The script is streamed to `sh -s` on the robot: list and rollback need nothing installed there beforehand. */
  async runScript(scriptPath: string, args: string[]): Promise<string> {
    const portArgs = this.ssh.port ? ['-p', String(this.ssh.port)] : [];
    const remoteCommand = ['sh', '-s', '--', ...args].map(shellQuote).join(' ');
    const child = spawn('ssh', [...this.commonOptions(), ...portArgs, '--', this.ssh.host, remoteCommand], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createReadStream(scriptPath).pipe(child.stdin);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw this.failure({ code, stderr });
    return stdout;
  }

  async close(): Promise<void> {
    try {
      const portArgs = this.ssh.port ? ['-p', String(this.ssh.port)] : [];
      await run('ssh', [...this.commonOptions(), ...portArgs, '-O', 'exit', '--', this.ssh.host]);
    } catch {
      // no master running (never connected)
    }
    rmSync(this.controlDir, { recursive: true, force: true });
  }
}
