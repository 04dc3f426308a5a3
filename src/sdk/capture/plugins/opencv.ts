import { z } from 'zod';
import { reconnectSchema } from '../reconnect-options.js';
import { defineSource } from '../source-plugin.js';

/**
 * An OpenCV VideoCapture: exactly one of `device` (index or /dev/videoN), `file`, `url` (RTSP, HTTP, ...) or
 * `gstreamer` (a pipeline ending in appsink, e.g. a Jetson CSI camera through nvarguscamerasrc).
 */
export const opencvSourceSchema = z
  .object({
    type: z.literal('opencv'),
    device: z.union([z.number().int().min(0), z.string().regex(/^\/dev\/video\d+$/)]).optional(),
    file: z.string().min(1).optional(),
    url: z.string().regex(/^[a-z][a-z0-9+.-]*:\/\//i, 'a URL such as rtsp://host/stream').optional(),
    gstreamer: z.string().includes('!').optional(),
    /** Requested capture size and rate (cameras; a device may choose the nearest it supports). */
    width: z.number().int().positive().optional(),
    height: z.number().int().positive().optional(),
    fps: z.number().positive().optional(),
    /**
     * Files only: `realtime` paces frames by the file's frame rate (or `fps`); `fast` reads as fast as decoding goes
     * and stamps frames on the file's clock (first frame at the time of reading it, then 1/fps apart), so that
     * tracking, smoothing and events behave as at real time whatever the speed.
     */
    playback: z.enum(['realtime', 'fast']).default('realtime'),
    /** Files only: start again at the end instead of ending. */
    loop: z.boolean().default(false),
    /**
     * URL streams (http, https, tcp, rtsp): how long connecting, and then each network read, may wait before the
     * stream counts as down (FFmpeg's socket timeout). OpenCV's open blocks the process meanwhile (a stop waits for it),
     * so keep it short; raise it for a stream slower than one frame a second. Ignored when OPENCV_FFMPEG_CAPTURE_OPTIONS
     * is set.
     */
    networkTimeoutMs: z.number().int().positive().default(1000),
    reconnect: reconnectSchema.prefault({}),
  })
  .strict()
  .refine((c) => [c.device, c.file, c.url, c.gstreamer].filter((v) => v !== undefined).length === 1, {
    message: 'an opencv source needs exactly one of device, file, url or gstreamer',
  });

export type OpencvSourceConfig = z.infer<typeof opencvSourceSchema>;

export const opencvSourcePlugin = defineSource({
  type: 'opencv',
  schema: opencvSourceSchema,
  live: (config) => config.file === undefined,
  create: async (config) => new (await import('../opencv-source.js')).OpencvSource(config),
});
