import { z } from 'zod';
import { pluginSchemas } from '../plugin-schemas.js';
import { parseConfig } from '../config-issue.js';
import { DeferredSource } from './deferred-source.js';
import { ResilientSource } from './resilient-source.js';
import { SOURCE_PLUGINS } from './registry.js';
import type { SourcePlugin } from './source-plugin.js';

export { abandonedReads } from './abandoned-reads.js';
export type { FrameSource, SourceStatus } from './frame-source.js';
export { LatestFrame } from './latest-frame.js';
export { ResilientSource, type SourceStatusEvent } from './resilient-source.js';
export { parseSourceArg } from './source-arg.js';
export type { SourcePlugin } from './source-plugin.js';

/** A frame source, chosen by `type`: `opencv` (camera, file, URL, GStreamer), `webcam-still` (fswebcam), `images`. */
export const sourceConfigSchema = z.discriminatedUnion('type', pluginSchemas(SOURCE_PLUGINS));

export type SourceConfig = z.infer<typeof sourceConfigSchema>;
export type SourceConfigInput = z.input<typeof sourceConfigSchema>;

/** The sources' keys. */
export const SOURCE_TYPES: readonly SourceConfig['type'][] = SOURCE_PLUGINS.map((plugin) => plugin.type);

/**
 * Validates the configuration and builds the source, wrapped in a ResilientSource that retries opening and
 * reconnects per `config.reconnect`. Call `open()` on the result (a SourceError if it never opens).
 */
export function createSource(config: SourceConfigInput): ResilientSource {
  const source = parseConfig(sourceConfigSchema, config, 'source');
  const plugin = SOURCE_PLUGINS.find((p) => p.type === source.type) as unknown as SourcePlugin;
  return new ResilientSource(new DeferredSource(source.type, plugin.live(source), () => plugin.create(source)), source.reconnect);
}
