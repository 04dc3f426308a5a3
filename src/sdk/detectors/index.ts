import { z } from 'zod';
import { pluginSchemas } from '../plugin-schemas.js';
import { ConfigError } from '../../core/errors.js';
import { parseConfig } from '../config-issue.js';
import type { FaceDetector } from '../types.js';
import type { DetectorPlugin } from './detector-plugin.js';
import type { ModelOpener } from './model-detector.js';
import { DETECTOR_PLUGINS } from './registry.js';

/** A face detector, chosen by `type` among the registered plugins (registry.ts). */
export const detectorConfigSchema = z.discriminatedUnion('type', pluginSchemas(DETECTOR_PLUGINS));

export type DetectorConfig = z.infer<typeof detectorConfigSchema>;
export type DetectorConfigInput = z.input<typeof detectorConfigSchema>;

/** The detectors' keys, the default first. */
export const DETECTOR_TYPES: readonly DetectorConfig['type'][] = DETECTOR_PLUGINS.map((plugin) => plugin.type);

/** The default: BlazeFace short range from the @mediapipe/face_detection package. */
export const defaultDetectorConfig: DetectorConfigInput = { type: 'blazeface', range: 'short' };

export function detectorPlugin(type: string): DetectorPlugin {
  const plugin = DETECTOR_PLUGINS.find((p) => p.type === type);
  if (!plugin) throw new ConfigError(`detector type "${type}": choose one of ${DETECTOR_TYPES.join(', ')}`);
  return plugin as unknown as DetectorPlugin;
}

/**
 * Validates the configuration and loads the detector (a ModelError when its model is missing or corrupt); `open`
 * loads a model-based detector's model (default: createBackend, on this thread).
 */
export async function createDetector(config: DetectorConfigInput = defaultDetectorConfig, open?: ModelOpener): Promise<FaceDetector> {
  const detector = parseConfig(detectorConfigSchema, config, 'detector');
  return detectorPlugin(detector.type).create(detector, open);
}

export type { DetectorPlugin } from './detector-plugin.js';
