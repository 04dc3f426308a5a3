import * as ort from 'onnxruntime-node';
import { createBackend, type BackendConfigInput, type ModelBackend, type ModelSource, sourcePath } from '../backends/index.js';
import { ModelError } from '../../core/errors.js';

/** Opens a detector's model with its back end: createBackend here, or on a thread of its own (threads/load-detector.ts). */
export type ModelOpener = (source: ModelSource, backend: BackendConfigInput) => Promise<ModelBackend>;

/**
 * Loads a detector's model through the shared back ends and checks that it has the tensors the decoder reads,
 * so that a wrong file is a one-line ModelError instead of garbage boxes.
 */
export async function loadDetectorModel(
  what: string,
  source: ModelSource,
  backend: BackendConfigInput | undefined,
  expected: { inputs: string[]; outputs: string[] },
  open: ModelOpener = createBackend,
): Promise<ModelBackend> {
  // Some exporters (UltraFace's) leave weights as graph inputs; ORT warns once per tensor at warning level.
  if (ort.env.logLevel === undefined || ort.env.logLevel === 'warning') ort.env.logLevel = 'error';
  const path = sourcePath(source);
  const model = await open(source, backend ?? { type: 'auto' });
  const missing = [
    ...expected.inputs.filter((name) => !model.info.inputNames.includes(name)),
    ...expected.outputs.filter((name) => !model.info.outputNames.includes(name)),
  ];
  if (missing.length > 0) {
    await model.close();
    throw new ModelError(`${what} model ${path} lacks the tensors ${missing.join(', ')}: not a ${what} model`);
  }
  return model;
}
