export { AFFECT_COORDINATES, valenceArousal } from './affect.js';
export { ProbabilitySmoother, smoothingConfigSchema, type SmoothingConfig } from './probability-smoother.js';
export { DominantEmotion, hysteresisConfigSchema, argmax, type HysteresisConfig } from './dominant-emotion.js';
export {
  EVENT_SCHEMA_ID,
  FACE_STATE_SCHEMA_ID,
  emotionEventSchema,
  faceStateSchema,
  type EmotionEvent,
  type EmotionEventType,
  type FaceState,
} from './event-schema.js';
export { buildEmotionEvent, buildFaceState, type EmotionSnapshot } from './build-event.js';
