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
 * A robot reached with the system's OpenSSH client, run with argument arrays (never through a local shell).
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

  /** Run fixed words (each quoted) on the robot with a local file as stdin; resolves with the exit code and output. */
  private async execWithInput(words: string[], inputPath: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const portArgs = this.ssh.port ? ['-p', String(this.ssh.port)] : [];
    const remoteCommand = words.map(shellQuote).join(' ');
    const child = spawn('ssh', [...this.commonOptions(), ...portArgs, '--', this.ssh.host, remoteCommand], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => {}); // ssh gone early: its exit code and stderr say why
    createReadStream(inputPath).pipe(child.stdin);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    return { code, stdout, stderr };
  }

  /** ssh exits 255 when it could not connect or authenticate; anything else is the remote command's own status. */
  private failure(failed: { stderr?: string; code?: number | string | null }): DeployError {
    if (failed.code === 255) {
      const reason = (failed.stderr ?? '').trim().split('\n').at(-1) ?? 'ssh failed';
      return new DeployError(`cannot reach ${this.ssh.host}${this.ssh.port ? ` port ${this.ssh.port}` : ''}: ${reason}`);
    }
    return installerFailure(failed.stderr ?? '', failed.code ?? undefined, this.description);
  }

  /** Streamed through ssh's stdin into `cat`: one session per file, and no sftp server needed on the robot. */
  async upload(files: { localPath: string; name: string }[]): Promise<string[]> {
    const incoming = `${this.root}/incoming`;
    const receive = 'mkdir -p -- "$1" && cat > "$1/$2"';
    for (const { localPath, name } of files) {
      const result = await this.execWithInput(['sh', '-c', receive, 'fer-edge-upload', incoming, name], localPath);
      if (result.code === 255) throw this.failure(result);
      if (result.code !== 0) {
        throw new DeployError(`copying ${name} to ${this.description} failed: ${result.stderr.trim().split('\n').at(-1) || `exit ${result.code}`}`);
      }
    }
    return files.map(({ name }) => `${incoming}/${name}`);
  }

  /** The script is streamed to `sh -s` on the robot: list and rollback need nothing installed there beforehand. */
  async runScript(scriptPath: string, args: string[]): Promise<string> {
    const result = await this.execWithInput(['sh', '-s', '--', ...args], scriptPath);
    if (result.code !== 0) throw this.failure(result);
    return result.stdout;
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
