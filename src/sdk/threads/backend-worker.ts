/** The model thread's entry point (see worker-backend.ts): one ONNX Runtime session, runs in order, outputs back. */
import { parentPort, workerData } from 'node:worker_threads';
import { setLogger } from '../../core/log.js';
import type { ModelBackend } from '../backends/model-backend.js';
// ONNX Runtime only: its binding runs in several threads at once; OpenCV's does not (see load-detector.ts).
import { createOnnxRuntimeBackend } from '../backends/onnxruntime.js';
import type { BackendWorkerData, FromBackendThread, ToBackendThread } from './backend-messages.js';
import { toThreadError } from './thread-error.js';
import { transferables } from './transferables.js';
import { postingLogger } from './thread-log.js';

const port = parentPort!;
const post = (message: FromBackendThread, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const { source, config } = workerData as BackendWorkerData;
setLogger(postingLogger(post));

let backend: ModelBackend | undefined;
try {
  backend = await createOnnxRuntimeBackend(source, config);
  post({ type: 'ready', info: backend.info, inputs: backend.inputs, outputs: backend.outputs });
} catch (error) {
  post({ type: 'load-failed', error: toThreadError(error) });
}

if (backend) {
  const loaded = backend;
  // One run at a time, in arrival order: replies come back in the order the inputs were sent.
  let queue = Promise.resolve();
  port.on('message', (message: ToBackendThread) => {
    queue = queue.then(() => handle(loaded, message));
  });
}

async function handle(loaded: ModelBackend, message: ToBackendThread): Promise<void> {
  if (message.type === 'close') {
    await loaded.close();
    port.close();
    return;
  }
  try {
    const outputs = await loaded.run(message.inputs);
    post({ type: 'outputs', id: message.id, outputs }, transferables(outputs));
  } catch (error) {
    post({ type: 'failed', id: message.id, error: toThreadError(error) });
  }
}
