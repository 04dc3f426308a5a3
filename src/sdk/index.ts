/**
 * fer-edge SDK: `import { createPipeline } from 'fer-edge'`.
 *
 *   const pipeline = await createPipeline({ source: { type: 'opencv', device: 0 }, mqtt: false });
 *   pipeline.on('event', (e) => console.log(`person ${e.face_id} looks ${e.emotion}`));
 *   await pipeline.run();
 *
 * The SDK logs nothing unless given a logger: `createPipeline(config, { logger })` or `setLogger(logger)`, pino's or
 * one with its shape (child, debug, info, warn, error).
 */
export { createPipeline, Pipeline, type PipelineEvents, type PipelineOptions, type PipelineResult } from './pipeline.js';
export {
  pipelineConfigSchema,
  parsePipelineConfig,
  readConfigFile,
  type PipelineConfig,
  type PipelineConfigInput,
} from './config.js';
export * from './types.js';
export * from '../core/errors.js';
export { setLogger, type Logger, type LogFn } from '../core/log.js';
export type { ModelManifest, ModelInputSpec, ModelOutputSpec } from './model/manifest-types.js';
export { loadModel, type LoadedModel } from './model/load-model.js';
export { defaultModelPath } from './model/default-model.js';
export { loadEmotionClassifier, createEmotionClassifier, softmax, type ManifestEmotionClassifier } from './classifier.js';
export { createBackend, backendConfigSchema, type BackendConfigInput, type ModelBackend } from './backends/index.js';
export { createDetector, detectorConfigSchema, defaultDetectorConfig, type DetectorConfigInput } from './detectors/index.js';
export { cropFaces } from './preprocess/crop-faces.js';
export { EmotionTracker, trackerConfigSchema, type TrackedFace, type TrackerConfigInput } from './tracking/index.js';
export {
  EVENT_SCHEMA_ID,
  FACE_STATE_SCHEMA_ID,
  emotionEventSchema,
  faceStateSchema,
  valenceArousal,
  type FaceState,
} from './events/index.js';
export { createMqttPublisher, startEmbeddedBroker, mqttConfigSchema, type MqttPublisher, type EmbeddedBroker } from './mqtt/index.js';
export { createSource, parseSourceArg, sourceConfigSchema, type FrameSource, type SourceConfigInput } from './capture/index.js';
