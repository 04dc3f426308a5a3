import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { FrameSource } from './frame-source.js';
import { ImageFolderSource, imageFolderSourceSchema } from './image-folder-source.js';
import { OpencvSource, opencvSourceSchema } from './opencv-source.js';
import { ResilientSource } from './resilient-source.js';
import { WebcamStillSource, webcamStillSourceSchema } from './webcam-still-source.js';

export type { FrameSource, SourceStatus } from './frame-source.js';
export { LatestFrame } from './latest-frame.js';
export { ResilientSource, type SourceStatusEvent } from './resilient-source.js';
export { parseSourceArg } from './source-arg.js';

/** A frame source, chosen by `type`: `opencv` (camera, file, URL, GStreamer), `webcam-still` (fswebcam), `images`. */
export const sourceConfigSchema = z.discriminatedUnion('type', [opencvSourceSchema, webcamStillSourceSchema, imageFolderSourceSchema]);

export type SourceConfig = z.infer<typeof sourceConfigSchema>;
export type SourceConfigInput = z.input<typeof sourceConfigSchema>;

/**
 * Validates the configuration and builds the source, wrapped in a ResilientSource that retries opening and
 * reconnects per `config.reconnect`. Call `open()` on the result (a SourceError if it never opens).
 */
export function createSource(config: SourceConfigInput): ResilientSource {
  const parsed = sourceConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`source: ${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}`);
  }
  return new ResilientSource(createInnerSource(parsed.data), parsed.data.reconnect);
}

function createInnerSource(config: SourceConfig): FrameSource {
  switch (config.type) {
    case 'opencv':
      return new OpencvSource(config);
    case 'webcam-still':
      return new WebcamStillSource(config);
    case 'images':
      return new ImageFolderSource(config);
  }
}
