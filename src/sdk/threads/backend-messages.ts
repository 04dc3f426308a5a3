import type { OnnxRuntimeConfig } from '../backends/plugins/onnxruntime.js';
import type { ModelSource, TensorSpec } from '../backends/model-backend.js';
import type { BackendInfo, TensorData } from '../types.js';
import type { ThreadError } from './thread-error.js';
import type { ThreadLogRecord } from './thread-log.js';

/** What the model thread starts with. */
export interface BackendWorkerData {
  source: ModelSource;
  config: OnnxRuntimeConfig;
}

export type ToBackendThread = { type: 'run'; id: number; inputs: Record<string, TensorData> } | { type: 'close' };

export type FromBackendThread =
  | { type: 'ready'; info: BackendInfo; inputs: TensorSpec[]; outputs: TensorSpec[] }
  | { type: 'load-failed'; error: ThreadError }
  | { type: 'outputs'; id: number; outputs: Record<string, TensorData> }
  | { type: 'failed'; id: number; error: ThreadError }
  | ThreadLogRecord;
