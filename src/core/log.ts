import { pino, type Logger } from 'pino';

/**
 * One structured logger for the SDK and the CLI, writing to stderr so that stdout stays free for
 * `--json` event output. Level from FER_EDGE_LOG_LEVEL (default "info"; tests set "silent").
 */
export const log: Logger = pino(
  { name: 'fer-edge', level: process.env.FER_EDGE_LOG_LEVEL ?? 'info' },
  pino.destination({ fd: 2, sync: true }),
);

export function childLogger(component: string): Logger {
  return log.child({ component });
}
