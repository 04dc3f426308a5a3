import { Option } from 'commander';
import { childLogger, consoleLogger, setLogger, type LogFormat } from '../core/log.js';

/** `--log-format` (or FER_EDGE_LOG_FORMAT): every command's log records on stderr as text or JSON lines. */
export const logFormatOption = new Option(
  '--log-format <format>',
  'log lines on stderr: text (short lines for people) or json (pino records); ' +
    'default: text on a terminal, json under systemd or when stderr is not a terminal',
)
  .choices(['text', 'json'])
  .env('FER_EDGE_LOG_FORMAT');

/**
 * Without --log-format: text for a person at a terminal, JSON for everything else. systemd sets INVOCATION_ID for
 * every service it runs (and JOURNAL_STREAM when stderr goes to the journal), even one given a TTY.
 */
export function resolveLogFormat(flag: string | undefined, env: NodeJS.ProcessEnv, stderrIsTTY: boolean): LogFormat {
  if (flag === 'text' || flag === 'json') return flag;
  if (env.INVOCATION_ID || env.JOURNAL_STREAM) return 'json';
  return stderrIsTTY ? 'text' : 'json';
}

let installed: LogFormat = 'json';

/** Sets the CLI's logger (the SDK's is quiet until then) from --log-format and where stderr goes. */
export function installCliLogger(flag: string | undefined): void {
  installed = resolveLogFormat(flag, process.env, process.stderr.isTTY === true);
  setLogger(consoleLogger(installed));
}

/** Progress bars are for a person at a terminal: not with JSON logs, nor with a command's --json output. */
export function showProgress(jsonOutput: boolean | undefined): boolean {
  return process.stderr.isTTY === true && installed === 'text' && jsonOutput !== true;
}

/**
 * A line for the person running the command (a hint, a summary): as it is beside text logs; as a log record beside
 * JSON ones, so that a service's stderr stays all JSON.
 */
export function tellUser(message: string): void {
  if (installed === 'text') process.stderr.write(`${message}\n`);
  else childLogger('cli').info(message);
}
