import { log, type LogFn, type Logger } from '../../core/log.js';

type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One log call made on a model thread, sent to the main thread. */
export interface ThreadLogRecord {
  type: 'log';
  level: LogLevel;
  bindings: Record<string, unknown>;
  args: [object | string, string?];
}

/**
 * The model thread's logger: it posts every call to the main thread, where the logger of the moment (the
 * application's or the CLI's) filters and writes it, so that a thread's records look like the rest.
 */
export function postingLogger(post: (record: ThreadLogRecord) => void, bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: LogLevel): LogFn =>
    (...args: [object | string, string?]) =>
      post({ type: 'log', level, bindings, args });
  return {
    child: (more) => postingLogger(post, { ...bindings, ...more }),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}

/** On the main thread: writes a record from postingLogger; other messages are left alone. */
export function relayThreadLog(message: { type: string }): void {
  if (message.type !== 'log') return;
  const { level, bindings, args } = message as ThreadLogRecord;
  (log.child(bindings)[level] as (...a: unknown[]) => void)(...args);
}
