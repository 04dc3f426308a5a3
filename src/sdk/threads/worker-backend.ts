import { Worker } from 'node:worker_threads';
import type { ModelBackend, ModelSource, TensorSpec } from '../backends/model-backend.js';
import type { OnnxRuntimeConfig } from '../backends/plugins/onnxruntime.js';
import { FerEdgeError } from '../../core/errors.js';
import type { BackendInfo, TensorData } from '../types.js';
import type { BackendWorkerData, FromBackendThread, ToBackendThread } from './backend-messages.js';
import { fromThreadError } from './thread-error.js';
import { transferables } from './transferables.js';
import { relayThreadLog } from './thread-log.js';
import { workerUrl } from './worker-url.js';

/**
 * How long close() waits for the thread to release its session. It is never terminated: ending a thread while
 * onnxruntime-node runs in it aborts the whole process (the binding throws a C++ exception no one catches), and a
 * thread stuck in native code would not stop anyway. Past this it is left unreferenced, so it holds nothing open.
 */
const CLOSE_TIMEOUT_MS = 5000;

interface Pending {
  resolve: (outputs: Record<string, TensorData>) => void;
  reject: (error: Error) => void;
}

/**
 * An ONNX Runtime model on a worker thread of its own: `run` returns at once and the session computes on another
 * core while this thread goes on (onnxruntime-node's own run() occupies the calling thread until it is done). The
 * inputs' buffers are moved to the thread, not copied: callers must not reuse them. Runs complete in the order they
 * were asked. If the thread fails (an uncaught error, an exit), every pending and later run fails with one line
 * naming `what`. The thread keeps the process alive only while a run is pending.
 */
export class WorkerBackend implements ModelBackend {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: FerEdgeError | undefined;
  private closing = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly what: string,
    /** The thread itself (tests end it, while it is idle, to see a failure handled). */
    readonly worker: Worker,
    ready: Extract<FromBackendThread, { type: 'ready' }>,
  ) {
    this.info = ready.info;
    this.inputs = ready.inputs;
    this.outputs = ready.outputs;
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: FromBackendThread) => this.receive(message));
    worker.on('error', (error) => this.fail(new FerEdgeError(`${what} failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!this.closing) this.fail(new FerEdgeError(`${what} stopped unexpectedly (exit code ${code})`));
    });
    worker.unref();
  }

  readonly info: BackendInfo;
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];

  /** Starts the thread and loads the model there; load errors are the ones the back end throws on this thread. */
  static open(source: ModelSource, config: OnnxRuntimeConfig, what: string): Promise<WorkerBackend> {
    const workerData: BackendWorkerData = { source, config };
    const worker = new Worker(workerUrl('backend-worker'), { workerData });
    worker.on('message', relayThreadLog);
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void => reject(new FerEdgeError(`${what} stopped while loading its model (exit code ${code})`));
      const onError = (error: Error): void => reject(new FerEdgeError(`${what} failed while loading its model: ${error.message}`));
      const onLoaded = (message: FromBackendThread): void => {
        if (message.type === 'log') return;
        worker.off('message', onLoaded);
        worker.off('exit', onExit);
        worker.off('error', onError);
        if (message.type === 'ready') return resolve(new WorkerBackend(what, worker, message));
        // The thread ends by itself: it has nothing left to do.
        reject(message.type === 'load-failed' ? fromThreadError(message.error, what) : new FerEdgeError(`${what}: unexpected ${message.type}`));
      };
      worker.once('exit', onExit);
      worker.once('error', onError);
      worker.on('message', onLoaded);
    });
  }

  run(inputs: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'run', id, inputs }, transferables(inputs));
    });
  }

  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.fail(new FerEdgeError(`${this.what} is closed`));
      this.worker.ref();
      this.send({ type: 'close' });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
      clearTimeout(timer);
      this.worker.unref();
    }
  }

  private send(message: ToBackendThread, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(message: FromBackendThread): void {
    if (message.type !== 'outputs' && message.type !== 'failed') return;
    const pending = this.settle(message.id);
    if (!pending) return;
    if (message.type === 'outputs') pending.resolve(message.outputs);
    else pending.reject(fromThreadError(message.error, this.what));
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
    return pending;
  }

  /** Every pending run fails with the first failure, and so does every later one. */
  private fail(error: FerEdgeError): void {
    this.failure ??= error;
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(this.failure);
  }
}
