import type { SourceConfigInput } from '../../src/sdk/capture/index.js';
import type { PipelineConfigInput } from '../../src/sdk/config.js';
import { sharedPath } from './shared.js';

/**
 * The demo clip, relative to the shared folder (for skipUnlessShared): 10 s of Tears of Steel (CC-BY Blender
 * Foundation) at 640x360 and 24 frames/s, 240 frames.
 */
export const CLIP = 'media/tears_of_steel_10s_640x360.mp4';

export const clipPath = sharedPath(CLIP);

type OpenCvSourceInput = Extract<SourceConfigInput, { type: 'opencv' }>;

/** The clip as an OpenCV file source, read as fast as it decodes unless `overrides` say otherwise. */
export function clipSource(overrides: Partial<OpenCvSourceInput> = {}): OpenCvSourceInput {
  return { type: 'opencv', file: clipPath, playback: 'fast', ...overrides };
}

/** A pipeline on the clip with no MQTT and no periodic stats: `extra` sets the rest (or replaces the source). */
export function clipConfig(extra: Partial<PipelineConfigInput> = {}): PipelineConfigInput {
  return { source: clipSource(), mqtt: false, statsIntervalSec: 3600, ...extra };
}
