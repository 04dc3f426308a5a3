/**
 * The stable interfaces of the device side (see docs in README "SDK").
 * Every detector, back end and frame source implements one of these; the rest of the
 * pipeline never knows which implementation runs.
 */

export * from './labels.js';
export type { EmotionEvent, EmotionEventType } from './events/event-schema.js';

/**
 * One camera frame. `data` is either raw interleaved pixels (BGR for 3 channels) or an OpenCV Mat
 * (kept opaque here so the SDK's types do not depend on the native binding).
 */
export interface Frame {
  data: Uint8Array | object;
  width: number;
  height: number;
  channels: number;
  /** Monotonic sequence number assigned by the source, starting at 0. */
  seq: number;
  /**
   * Capture time, milliseconds since the Unix epoch; for a file read as fast as possible (`playback: fast`), the
   * frame's time on the file's clock counted from when reading began.
   */
  timestampMs: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A detected face, in frame pixels. Landmarks, when given: right eye, left eye, nose, right mouth, left mouth (subject's). */
export interface Face {
  box: Box;
  score: number;
  landmarks?: Point[];
}

export interface FaceDetector {
  readonly name: string;
  detect(frame: Frame): Promise<Face[]>;
  close?(): Promise<void> | void;
}

/** A named input or output tensor for a back end. */
export interface TensorData {
  data: Float32Array | Int8Array | Uint8Array;
  dims: number[];
}

export interface BackendInfo {
  /** e.g. "onnxruntime", "tflite". */
  runtime: string;
  /** The execution provider or delegate actually in use, e.g. "cpu", "tensorrt", "xnnpack", "edgetpu". */
  accelerator: string;
  inputNames: string[];
  outputNames: string[];
}

export interface Backend {
  readonly info: BackendInfo;
  run(inputs: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  close(): Promise<void>;
}

export interface EmotionClassifier {
  readonly labels: readonly string[];
  /** Batched: one crop per face; returns probabilities over the labels for each crop. */
  classify(crops: TensorData): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  max: number;
}

/** Published on `<prefix>/stats` every few seconds and emitted by the pipeline as 'stats'. */
export interface PipelineStats {
  ts: number;
  uptime_s: number;
  fps: number;
  /** Frames processed. */
  frames: number;
  /**
   * Frames captured but never processed: a newer frame replaced them while the pipeline was busy
   * (cameras, streams and files played in real time; a file read as fast as possible drops none).
   */
  dropped_frames: number;
  /** Per-frame results dropped because an async-iterator consumer fell behind; their frames were processed. */
  dropped_results: number;
  /** Confirmed faces on the last processed frame. */
  faces: number;
  /** `waiting`: the source is not there yet and its open is retried (a robot booting before its camera). */
  source: { status: 'opening' | 'waiting' | 'running' | 'reconnecting' | 'ended'; reconnects: number };
  /** Per-stage latency in milliseconds: capture, detect, classify, track, total. */
  latency_ms: Record<string, LatencySummary>;
  /** The process's resident memory and V8 heap in use, MiB: what a long run watches for growth. Always set by the pipeline. */
  memory?: { rss_mib: number; heap_used_mib: number };
  /**
   * The MQTT publisher: `state` connected | connecting | unreachable (events queue) | refused (the broker refused the
   * login); events `queued` (not yet acknowledged), of those `spooled` on disk, `dropped` (outbox full), and publishes
   * the broker `refused` (MQTT 5 only).
   */
  mqtt?: {
    connected: boolean;
    state: 'connected' | 'connecting' | 'unreachable' | 'refused';
    queued: number;
    spooled: number;
    dropped: number;
    refused: number;
  };
  /** The preview page: viewers connected now, and frames JPEG-encoded for them so far (none while nobody watches). */
  preview?: { viewers: number; encoded_frames: number };
}
