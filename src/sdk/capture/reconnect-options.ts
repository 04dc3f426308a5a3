import { z } from 'zod';

/**
 * How a source that fails to open, is lost or stalls is retried: exponential backoff from `initialDelayMs`, multiplied
 * by `factor` after each failure and capped at `maxDelayMs` (1 s by default, so that a camera or file that appears
 * is opened within about a second). `attempts` bounds the tries of the first open in a row (0 = wait for the source
 * for as long as it takes, what a robot service wants); the default fails fast enough for a mistyped `--source`.
 * `readTimeoutMs`: a live source (camera, stream) that delivers no frame for this long counts as lost and is
 * reopened, since a stalled stream or camera can block a read forever; 0 = never. It must exceed the time between
 * two frames (for `webcam-still`, `intervalMs` plus a capture).
 */
export const reconnectSchema = z
  .object({
    attempts: z.number().int().min(0).default(3),
    initialDelayMs: z.number().min(0).default(500),
    maxDelayMs: z.number().min(0).default(1000),
    factor: z.number().min(1).default(2),
    readTimeoutMs: z.number().min(0).default(10_000),
  })
  .strict();

export type ReconnectOptions = z.infer<typeof reconnectSchema>;

/** The wait before retry number `retry` (0-based). */
export function backoffDelayMs(options: ReconnectOptions, retry: number): number {
  return Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** retry);
}
