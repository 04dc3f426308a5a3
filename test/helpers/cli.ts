import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './shared.js';

/** Node's arguments that run `fer-edge` from its TypeScript source. */
const CLI_NODE_ARGS = ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts')];

/** A guard against a CLI that hangs, well above what the slowest command (quantize) takes on a busy machine. */
const DEFAULT_TIMEOUT_MS = 600_000;

export interface CliOptions {
  /** FER_EDGE_LOG_LEVEL of the child; silent unless a test reads the logs. */
  logLevel?: string;
  /** Node options that go before the CLI's, such as `--require` of a probe. */
  nodeArgs?: readonly string[];
  timeoutMs?: number;
}

/** The log format is the CLI's default for a stderr that is not a terminal (JSON lines) unless a test passes --log-format. */
function cliEnv(logLevel = 'silent'): NodeJS.ProcessEnv {
  return { ...process.env, FER_EDGE_LOG_LEVEL: logLevel, FER_EDGE_LOG_FORMAT: undefined };
}

/** Runs `fer-edge <args>` in a child process from the repository root, as a user would, and waits for it to exit. */
export function runCli(args: readonly string[], { logLevel, nodeArgs = [], timeoutMs = DEFAULT_TIMEOUT_MS }: CliOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...nodeArgs, ...CLI_NODE_ARGS, ...args], { cwd: repoRoot, encoding: 'utf8', env: cliEnv(logLevel), timeout: timeoutMs });
}

/** Starts `fer-edge <args>` like runCli, without waiting: for tests that read its output as it runs, or signal it. */
export function spawnCli(args: readonly string[], { logLevel }: Pick<CliOptions, 'logLevel'> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...CLI_NODE_ARGS, ...args], { cwd: repoRoot, env: cliEnv(logLevel) });
}

/** The CLI's error output minus its JSON log lines: what a user reads. */
export function userLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line && !line.startsWith('{'));
}
