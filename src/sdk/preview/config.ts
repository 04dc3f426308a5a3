import { isIP } from 'node:net';
import { z } from 'zod';

/** Shortest token accepted: guessing it must be out of reach (a generated one is 32 characters). */
export const MIN_PREVIEW_TOKEN_LENGTH = 16;

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return isIP(bare) === 6 && (bare === '::1' || bare === '0:0:0:0:0:0:0:1');
}

/**
 * The live preview page (`fer-edge run --preview`): annotated frames, the event log and the stats, in a browser. Only
 * this machine can reach it unless `host` says otherwise, and then only with the token.
 */
export const previewConfigSchema = z
  .object({
    /** The address to listen on; another than loopback (127.0.0.1, ::1, localhost) needs a token. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 = any free port (the URL printed at start says which). */
    port: z.number().int().min(0).max(65535).default(8090),
    /** Required on the page's URL and its socket; `true` = generate one at start (printed with the URL). */
    token: z.union([z.string().min(MIN_PREVIEW_TOKEN_LENGTH, `at least ${MIN_PREVIEW_TOKEN_LENGTH} characters (or true: one is generated)`), z.literal(true)]).optional(),
    /** The most frames per second sent to a viewer (each one JPEG-encoded); results and events are never held back. */
    maxFps: z.number().positive().max(60).default(15),
    jpegQuality: z.number().int().min(10).max(100).default(75),
  })
  .strict()
  .superRefine((preview, context) => {
    if (preview.token === undefined && !isLoopbackHost(preview.host)) {
      context.addIssue({
        code: 'custom',
        path: ['token'],
        message: `a preview on ${preview.host} is reachable from other machines, so it needs a token (preview.token, or --preview-token)`,
      });
    }
  });

export type PreviewConfig = z.output<typeof previewConfigSchema>;
export type PreviewConfigInput = z.input<typeof previewConfigSchema>;
