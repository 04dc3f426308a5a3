import type { z } from 'zod';
import type { FrameSource } from './frame-source.js';

type SourceSchema = z.ZodObject<{ type: z.ZodLiteral<string> }>;

/**
 * One kind of frame source, as the registry (registry.ts) knows it: the `source` config union is derived from these.
 * `create` loads the implementation with `import()`, so that validating a configuration never loads OpenCV.
 */
export interface SourcePlugin<Schema extends SourceSchema = SourceSchema> {
  readonly type: z.output<Schema>['type'];
  /** The `source` section when `type` is this source: a zod object with `type: z.literal(...)` and `reconnect`. */
  readonly schema: Schema;
  /** Cameras and streams are live (lost when they end, and reopened); files and folders are not. */
  live(config: z.output<Schema>): boolean;
  create(config: z.output<Schema>): Promise<FrameSource>;
}

/** Keeps a plugin's config type when it is declared (a typed identity). */
export function defineSource<Schema extends SourceSchema>(plugin: SourcePlugin<Schema>): SourcePlugin<Schema> {
  return plugin;
}
