import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** A real OpenSSH server on 127.0.0.1 with throwaway host and client keys, for deploy tests. */
export interface TestSshd {
  port: number;
  /** `root@127.0.0.1` (tests run as root here) or `<user>@127.0.0.1`. */
  host: string;
  /** Private key of the authorised client. */
  identityFile: string;
  /** A known_hosts file that trusts this server's host key, so tests keep strict host key checking. */
  knownHostsFile: string;
  dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'fer-edge-test', '-f', path], { stdio: 'ignore' });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`sshd exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startSshd(): Promise<TestSshd> {
  // sshd refuses to start without its privilege-separation directory, which systemd normally creates.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = makeTempDir('fer-edge-sshd-');
  const hostKey = join(dir, 'host_ed25519');
  const identityFile = join(dir, 'client_ed25519');
  keygen(hostKey);
  keygen(identityFile);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(identityFile + '.pub'));
  const port = await freePort();
  const user = process.env.USER ?? execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'StrictModes no',
    'UsePAM no',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    'LogLevel ERROR',
  ];
  writeFileSync(join(dir, 'sshd_config'), config.join('\n') + '\n');
  const hostPub = readFileSync(hostKey + '.pub', 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPub}\n`);

  // -D: stay in the foreground so the test owns the process; -e: log to stderr.
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForPort(port, child, 5000);
  } catch (error) {
    child.kill();
    removeTempDir(dir);
    throw new Error(`${(error as Error).message}: ${stderr.trim()}`);
  }
  return {
    port,
    host: `${user}@127.0.0.1`,
    identityFile,
    knownHostsFile,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      removeTempDir(dir);
    },
  };
}
