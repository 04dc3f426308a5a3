import { z } from 'zod';

/**
 * How a source that fails to open, or is lost, is retried: exponential backoff from `initialDelayMs`, multiplied
 * by `factor` after each failure and capped at `maxDelayMs`. `attempts` bounds the tries in a row (0 = retry
 * forever, what a robot service wants); the default fails fast enough for a mistyped `--source`.
 */
export const reconnectSchema = z
  .object({
    attempts: z.number().int().min(0).default(3),
    initialDelayMs: z.number().min(0).default(500),
    maxDelayMs: z.number().min(0).default(10_000),
    factor: z.number().min(1).default(2),
  })
  .strict();

export type ReconnectOptions = z.infer<typeof reconnectSchema>;

/** The wait before retry number `retry` (0-based). */
export function backoffDelayMs(options: ReconnectOptions, retry: number): number {
  return Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** retry);
}
