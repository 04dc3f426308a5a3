import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { FaceDetector } from '../types.js';
import { BlazeFaceDetector, blazeFaceSchema } from './blazeface.js';
import { HaarDetector, haarSchema } from './haar.js';
import type { ModelOpener } from './model-detector.js';
import { UltraFaceDetector, ultraFaceSchema } from './ultraface.js';
import { YunetDetector, yunetSchema } from './yunet.js';

/** A face detector, chosen by `type`: `blazeface` (default), `yunet`, `ultraface`, `haar`. */
export const detectorConfigSchema = z.discriminatedUnion('type', [blazeFaceSchema, yunetSchema, ultraFaceSchema, haarSchema]);

export type DetectorConfig = z.infer<typeof detectorConfigSchema>;
export type DetectorConfigInput = z.input<typeof detectorConfigSchema>;

/** The default: BlazeFace short range from the @mediapipe/face_detection package. */
export const defaultDetectorConfig: DetectorConfigInput = { type: 'blazeface', range: 'short' };

/**
 * Validates the configuration and loads the detector (a ModelError when its model is missing or corrupt); `open`
 * loads a model-based detector's model (default: createBackend, on this thread).
 */
export async function createDetector(config: DetectorConfigInput = defaultDetectorConfig, open?: ModelOpener): Promise<FaceDetector> {
  const parsed = detectorConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`detector: ${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}`);
  }
  const detector = parsed.data;
  switch (detector.type) {
    case 'blazeface':
      return BlazeFaceDetector.create(detector, open);
    case 'yunet':
      return YunetDetector.create(detector, open);
    case 'ultraface':
      return UltraFaceDetector.create(detector, open);
    case 'haar':
      return HaarDetector.create(detector);
  }
}
