import { availableParallelism } from 'node:os';
import { createBackend, resolveBackendConfig, type BackendConfigInput, type ModelSource } from '../backends/index.js';
import type { OnnxRuntimeConfig } from '../backends/plugins/onnxruntime.js';
import { createDetector, type DetectorConfigInput } from '../detectors/index.js';
import type { ModelOpener } from '../detectors/model-detector.js';
import { childLogger } from '../../core/log.js';
import type { FaceDetector } from '../types.js';
import { WorkerBackend } from './worker-backend.js';

const logger = childLogger('detector');

export type DetectorThread = 'auto' | 'worker' | 'main';

/**
 * The configured detector, its model on a worker thread of its own when asked (`auto`: with 3 cores or more): then only its pre- and post-processing (OpenCV, microseconds to a millisecond) stay on this thread.
 * ONNX Runtime models only: the Haar cascade is OpenCV, whose binding keeps per-process state that a second thread
 * loading it clobbers (it crashed the process), and the TFLite binding was not tried in a thread; both run here.
 * `threaded` tells which happened.
 */
export async function loadDetector(config: DetectorConfigInput, thread: DetectorThread): Promise<{ detector: FaceDetector; threaded: boolean }> {
  // auto: a core each for decoding, the pipeline and the detector. On 2 cores the three compete for two and the
  // thread measured no faster (bench/RESULTS.md).
  const wanted = thread === 'worker' || (thread === 'auto' && availableParallelism() > 2);
  let threaded = false;
  const open: ModelOpener = (source, backend) => {
    const onnx = wanted ? onnxRuntimeConfig(source, backend) : undefined;
    if (!onnx) return createBackend(source, backend);
    threaded = true;
    return WorkerBackend.open(source, onnx, 'face detector thread');
  };
  const detector = await createDetector(config, open);
  if (wanted && !threaded) logger.info({ detector: detector.name }, 'the detector runs on the main thread: only ONNX Runtime models run on a thread of their own');
  return { detector, threaded };
}

/** The ONNX Runtime settings the back end will run `source` with, or undefined for another back end. */
function onnxRuntimeConfig(source: ModelSource, backend: BackendConfigInput): OnnxRuntimeConfig | undefined {
  try {
    const resolved = resolveBackendConfig(source, backend);
    return resolved.type === 'onnxruntime' ? resolved : undefined;
  } catch {
    // An invalid configuration is left to createBackend, which reports it.
    return undefined;
  }
}
