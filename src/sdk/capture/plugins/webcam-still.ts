import { z } from 'zod';
import { reconnectSchema } from '../reconnect-options.js';
import { defineSource } from '../source-plugin.js';

/**
 * Still images from `fswebcam` (the tool node-webcam drives), for cameras OpenCV cannot stream from or when a frame
 * every second or so is enough. `device` is passed to `fswebcam -d`, so its source prefixes work too
 * (`v4l2:/dev/video1`, `FILE:photo.jpg`, `TEST:` for colour bars).
 */
export const webcamStillSourceSchema = z
  .object({
    type: z.literal('webcam-still'),
    device: z.string().min(1).default('/dev/video0'),
    width: z.number().int().positive().default(640),
    height: z.number().int().positive().default(480),
    /** Frames to skip before each capture, letting the camera settle exposure. */
    skip: z.number().int().min(0).default(0),
    /** Minimum time between the starts of two captures. */
    intervalMs: z.number().min(0).default(1000),
    fswebcam: z.string().min(1).default('fswebcam'),
    timeoutMs: z.number().positive().default(10_000),
    reconnect: reconnectSchema.prefault({}),
  })
  .strict();

export type WebcamStillSourceConfig = z.infer<typeof webcamStillSourceSchema>;

export const webcamStillSourcePlugin = defineSource({
  type: 'webcam-still',
  schema: webcamStillSourceSchema,
  live: () => true,
  create: async (config) => new (await import('../webcam-still-source.js')).WebcamStillSource(config),
});
