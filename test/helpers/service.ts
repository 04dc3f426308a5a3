import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli } from './cli.js';

/** The health file of fer-edge/health@1, as read back. */
export interface HealthReport {
  schema: string;
  status: string;
  healthy: boolean;
  ts: number;
  pid: number;
  started: number;
  frames: number;
  last_frame_ts: number | null;
  fps: number;
  source: string;
  mqtt: null | { state: string; queued: number; spooled: number; dropped: number; refused: number };
  reason?: string;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal sent (or from start) to the exit. */
  ms: number;
}

/**
 * `fer-edge run --config <config> --json` as a robot's service runs it, in a child process: its health file, its
 * stdout (events, one JSON line each) and stderr, and its exit.
 */
export class Service {
  readonly healthFile: string;
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<ExitResult>;
  private signalledAt = performance.now();

  constructor(dir: string, config: Record<string, unknown>, extraArgs: string[] = []) {
    this.healthFile = join(dir, 'health.json');
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ mqtt: false, ...config, health: { file: this.healthFile, ...(config.health as object | undefined) } }));
    this.child = spawnCli(['run', '--config', configFile, '--json', ...extraArgs], { logLevel: 'warn' });
    this.child.stdout.on('data', (chunk) => (this.stdout += chunk));
    this.child.stderr.on('data', (chunk) => (this.stderr += chunk));
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({ code, signal, ms: performance.now() - this.signalledAt }));
  }

  health(): HealthReport | undefined {
    try {
      return JSON.parse(readFileSync(this.healthFile, 'utf8')) as HealthReport;
    } catch {
      return undefined;
    }
  }

  /** Polls the health file until `accept` holds; every status seen on the way is recorded in `seen`. */
  async waitForHealth(accept: (health: HealthReport) => boolean, timeoutMs = 30_000, seen: string[] = []): Promise<HealthReport> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const health = this.health();
      if (health && seen.at(-1) !== health.status) seen.push(health.status);
      if (health && accept(health)) return health;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`fer-edge run exited; health ${JSON.stringify(health)}; stderr ${this.stderr}`);
      if (performance.now() > deadline) throw new Error(`health never matched; last ${JSON.stringify(health)} (seen ${seen.join(' -> ')}); stderr ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Sends `signal` and waits for the exit, timed from the signal. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitResult> {
    this.signalledAt = performance.now();
    this.child.kill(signal);
    return this.exited;
  }

  /** Ends it whatever it is doing (test clean-up). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The events printed so far. */
  events(): Array<{ type: string; ts: number }> {
    return this.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; ts: number });
  }
}
