import type { z } from 'zod';
import type { FaceDetector } from '../types.js';
import type { ModelOpener } from './model-detector.js';

type DetectorSchema = z.ZodObject<{ type: z.ZodLiteral<string> }>;

/**
 * One face detector, as the registry (registry.ts) knows it: the `detector` config union, `--detector` choices and
 * `bench`'s `type=<model>` flags are derived from these. `create` loads the implementation with `import()`, so that
 * validating a configuration never loads OpenCV or a model runtime.
 */
export interface DetectorPlugin<Schema extends DetectorSchema = DetectorSchema> {
  readonly type: z.output<Schema>['type'];
  /** The `detector` section when `type` is this detector: a strict zod object with `type: z.literal(...)`. */
  readonly schema: Schema;
  /** The option naming its model (or cascade) file, whether it must be given, and the file types it takes. */
  readonly modelFile?: { option: string; required: boolean; extensions: readonly string[] };
  /** `open` loads a model with a back end (on this thread, or on the detector's own: threads/load-detector.ts). */
  create(config: z.output<Schema>, open?: ModelOpener): Promise<FaceDetector>;
}

/** Keeps a plugin's config type when it is declared (a typed identity). */
export function defineDetector<Schema extends DetectorSchema>(plugin: DetectorPlugin<Schema>): DetectorPlugin<Schema> {
  return plugin;
}
