import { pino } from 'pino';
import pretty from 'pino-pretty';

/** One logging call, as pino takes it: a message, or fields and a message. */
export interface LogFn {
  (message: string): void;
  (fields: object, message?: string): void;
}

/** What fer-edge asks of a logger: pino's shape, so an application's pino (or pino-compatible) logger fits. */
export interface Logger {
  child(bindings: Record<string, unknown>): Logger;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export type LogFormat = 'text' | 'json';

/**
 * Without a logger given, the SDK stays quiet: a library must not write to its application's stderr. Setting
 * FER_EDGE_LOG_LEVEL is the one exception, for debugging an application: JSON lines at that level on stderr.
 */
function defaultLogger(): Logger {
  const level = process.env.FER_EDGE_LOG_LEVEL;
  return level ? consoleLogger('json', level) : pino({ level: 'silent' });
}

let root: Logger = defaultLogger();

/**
 * Sends fer-edge's log records (each with a `component` field) to `logger`, e.g. the application's pino logger;
 * `undefined` goes back to the default (quiet). One logger for the whole process.
 */
export function setLogger(logger: Logger | undefined): void {
  root = logger ?? defaultLogger();
}

/** The logger of the moment, without a component: for records that bring their own bindings. */
export const log: Logger = forwardingLogger(() => root);

/**
 * A logger for one component that follows setLogger: modules create theirs when loaded, before an application or
 * the CLI has set one.
 */
export function childLogger(component: string): Logger {
  let parent: Logger | undefined;
  let child: Logger = root;
  return forwardingLogger(() => {
    if (parent !== root) {
      parent = root;
      child = root.child({ component });
    }
    return child;
  });
}

function forwardingLogger(current: () => Logger): Logger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error'): LogFn =>
    (...args: [object | string, string?]) =>
      (current()[level] as (...a: unknown[]) => void)(...args);
  return {
    child: (bindings) => forwardingLogger(() => current().child(bindings)),
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}

/** Record keys that are not for a person reading the line. */
const NOT_SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'component']);

/**
 * `component: message key=value ...`, the fields the message does not already say: the provider fallback's `reason`
 * is in its message, and a person needs it once.
 */
function humanLine(record: Record<string, unknown>): string {
  const message = String(record.msg ?? '');
  const fields = Object.entries(record)
    .filter(([key, value]) => !NOT_SHOWN.has(key) && value !== undefined && !message.includes(String(value)))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [record.component ? `${String(record.component)}: ${message}` : message, ...fields].join(' ');
}

/**
 * The command line's logger on stderr (stdout stays free for results and `--json` events). `text`: one short line a
 * record, level, component, message and the fields it does not say (pino-pretty); `json`: pino's JSON lines.
 */
export function consoleLogger(format: LogFormat, level = process.env.FER_EDGE_LOG_LEVEL ?? 'info'): Logger {
  if (format === 'json') return pino({ name: 'fer-edge', level }, pino.destination({ fd: 2, sync: true }));
  const stream = pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    ignore: 'pid,hostname,name,time',
    messageFormat: humanLine,
    hideObject: true,
  });
  return pino({ name: 'fer-edge', level }, stream);
}
