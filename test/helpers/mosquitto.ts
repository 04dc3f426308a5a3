import './isolated-state.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, removeTempDir } from './temp-dir.js';

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

export interface MosquittoOptions {
  /** Keep sessions, queued messages and retained messages across stop()/start() (saved on a clean stop). */
  persistence?: boolean;
  /** PEM files: serve mqtts on the port instead of plain MQTT; with requireClientCert, clients need a cert from caFile. */
  tls?: { caFile: string; certFile: string; keyFile: string; requireClientCert?: boolean };
  /** A mosquitto_passwd file: anonymous clients are then refused. */
  passwordFile?: string;
  /** A mosquitto acl_file: what each user may publish and subscribe to. */
  aclFile?: string;
}

/** A real mosquitto on 127.0.0.1, on a free port, with its generated config and data in a temp dir. */
export class Mosquitto {
  private process: ChildProcess | undefined;
  private stderr = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly configFile: string,
    private readonly tls: boolean,
  ) {}

  static async start(options: MosquittoOptions = {}): Promise<Mosquitto> {
    const port = await freePort();
    const dir = makeTempDir('fer-edge-mosquitto-');
    const lines = [
      `listener ${port} 127.0.0.1`,
      `allow_anonymous ${options.passwordFile ? 'false' : 'true'}`,
      `persistence ${options.persistence ? 'true' : 'false'}`,
      `persistence_location ${dir}/`,
      // Running as root, mosquitto would otherwise switch to the "mosquitto" user and lose access to the temp dir.
      'user root',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
    ];
    if (options.passwordFile) lines.push(`password_file ${options.passwordFile}`);
    if (options.aclFile) lines.push(`acl_file ${options.aclFile}`);
    if (options.tls) {
      lines.push(`cafile ${options.tls.caFile}`, `certfile ${options.tls.certFile}`, `keyfile ${options.tls.keyFile}`);
      if (options.tls.requireClientCert) lines.push('require_certificate true');
    }
    const configFile = join(dir, 'mosquitto.conf');
    writeFileSync(configFile, lines.join('\n') + '\n');
    const broker = new Mosquitto(port, dir, configFile, Boolean(options.tls));
    await broker.start();
    return broker;
  }

  get url(): string {
    return `${this.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process !== undefined;
  }

  /** (Re)starts on the same port and resolves once it accepts TCP connections. */
  async start(): Promise<void> {
    if (this.process) return;
    const child = spawn(MOSQUITTO, ['-c', this.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    child.once('exit', () => {
      live.delete(child);
      if (this.process === child) this.process = undefined;
    });
    this.process = child;
    const deadline = Date.now() + 5000;
    while (!(await accepts(this.port))) {
      if (!this.process) throw new Error(`mosquitto exited at start: ${this.stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${this.port} within 5 s: ${this.stderr.trim()}`);
      await sleep(25);
    }
  }

  /** SIGTERM (mosquitto saves its persistence file) and waits for the exit. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Stops the broker and removes its temp dir. */
  async dispose(): Promise<void> {
    await this.kill();
    removeTempDir(this.dir);
  }

  get log(): string {
    return this.stderr;
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }
}

/**
 * One broker for the tests of the calling file (or `describe` suite): started before them, handed to `use`, disposed
 * of after them.
 */
export function brokerForTests(use: (broker: Mosquitto) => void, options: MosquittoOptions = {}): void {
  let broker: Mosquitto | undefined;
  before(async () => {
    broker = await Mosquitto.start(options);
    use(broker);
  });
  after(async () => {
    await broker?.dispose();
  });
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A port the OS just handed out on 127.0.0.1 (free at the time of the call). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
