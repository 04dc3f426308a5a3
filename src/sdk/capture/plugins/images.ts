import { z } from 'zod';
import { reconnectSchema } from '../reconnect-options.js';
import { defineSource } from '../source-plugin.js';

/** The image files of a folder in natural sort order (frame2 before frame10), once or looped. */
export const imageFolderSourceSchema = z
  .object({
    type: z.literal('images'),
    dir: z.string().min(1),
    loop: z.boolean().default(false),
    /** Frames per second to pace at; absent = as fast as they decode. */
    fps: z.number().positive().optional(),
    reconnect: reconnectSchema.prefault({}),
  })
  .strict();

export type ImageFolderSourceConfig = z.infer<typeof imageFolderSourceSchema>;

export const imageFolderSourcePlugin = defineSource({
  type: 'images',
  schema: imageFolderSourceSchema,
  live: () => false,
  create: async (config) => new (await import('../image-folder-source.js')).ImageFolderSource(config),
});
