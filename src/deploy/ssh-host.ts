import { execFile, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeployError, installerFailure, noSpace } from './deploy-error.js';
import type { ReleaseHost } from './release-host.js';
import { shellQuote } from './safe-values.js';

const run = promisify(execFile);

/**
 * The receiving end of an upload, run as `sh -c RECEIVE fer-edge-upload <dir> <name> <size>`: refuses a file that
 * cannot fit, writes it under a temporary name and renames it once it has all its bytes.
 */
const RECEIVE = `umask 077
dir=$1 name=$2 size=$3
mkdir -p -- "$dir" || exit 1
free=$(df -Pk -- "$dir" 2>/dev/null | awk 'NR == 2 { print $4 * 1024 }')
if [ -n "$free" ] && [ "$free" -lt "$size" ]; then echo "fer-edge-upload: no space: needs $size free $free" >&2; exit 28; fi
part=$dir/.$name.part.$$
trap 'rm -f -- "$part"' EXIT
trap 'exit 1' HUP INT TERM PIPE
if ! error=$(cat 2>&1 >"$part"); then
  free=$(df -Pk -- "$dir" 2>/dev/null | awk 'NR == 2 { print $4 * 1024 }')
  case $error in *'No space'*) echo "fer-edge-upload: no space: needs $size free $free" >&2; exit 28 ;; esac
  echo "$error" >&2
  exit 1
fi
got=$(wc -c <"$part")
[ "$got" -eq "$size" ] || { echo "cut off after $got of $size bytes" >&2; exit 1; }
mv -f -- "$part" "$dir/$name" && trap - EXIT`;

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

  /**
   * Streamed through ssh's stdin into `cat`: one session per file, and no sftp server needed on the robot. Each file
   * lands as `.<name>.part.<pid>` (mode 600) and is renamed only once all its bytes arrived, so an interrupted copy
   * never looks like a finished one; the receiver removes its part when it is cut off, and the installer prunes parts
   * whose receiver was killed outright.
   */
  async upload(files: { localPath: string; name: string }[]): Promise<string[]> {
    const incoming = `${this.root}/incoming`;
    for (const { localPath, name } of files) {
      const size = statSync(localPath).size;
      const result = await this.execWithInput(['sh', '-c', RECEIVE, 'fer-edge-upload', incoming, name, String(size)], localPath);
      if (result.code === 255) throw this.failure(result);
      const space = /fer-edge-upload: no space: needs (\d+) free (\d+)/.exec(result.stderr);
      if (space) throw noSpace(`${this.ssh.host}:${incoming}`, Number(space[1]), Number(space[2]));
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
