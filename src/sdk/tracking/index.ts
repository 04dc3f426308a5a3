export { FaceTracker, faceTrackerConfigSchema, type FaceTrackerConfig, type TrackStep } from './face-tracker.js';
export {
  EmotionTracker,
  trackerConfigSchema,
  type TrackerConfig,
  type TrackerConfigInput,
  type TrackerDetection,
  type TrackedFace,
  type TrackerResult,
} from './emotion-tracker.js';
export { Track } from './track.js';
export { iou, centreDistance, boxCentre, clipBox, clampBox } from './box-geometry.js';
export { greedyAssignment } from './associate.js';
