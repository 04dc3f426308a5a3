export { modelManifestSchema, manifestPathFor, parseManifest, readManifest } from './manifest.js';
export { loadModel, sha256File, type LoadedModel } from './load-model.js';
export { defaultModelPath, indexedModelFiles, modelsDirectory, type ModelRole } from './default-model.js';
export { assertBackendMatchesManifest } from './verify-io.js';
export { qdqFlavorOf, type QdqFlavorName } from './qdq-flavor.js';
export type { ModelManifest, ModelInputSpec, ModelOutputSpec } from './manifest-types.js';
