/**
 * The stable interfaces of the device side (see docs in README "SDK").
 * Every detector, back end and frame source implements one of these; the rest of the
 * pipeline never knows which implementation runs.
 */

/** FER2013 index order, used everywhere in fer-edge. */
export const EMOTION_LABELS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type EmotionLabel = (typeof EMOTION_LABELS)[number];

/** ROS4HRI (REP-155) expression words, index-aligned with EMOTION_LABELS. */
export const REP155_EXPRESSIONS = ['angry', 'disgusted', 'scared', 'happy', 'sad', 'surprised', 'neutral'] as const;
export type Rep155Expression = (typeof REP155_EXPRESSIONS)[number];

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

export type EmotionEventType = 'new' | 'update' | 'end';

/**
 * What robot code receives, on MQTT `<prefix>/events` and from the SDK's emitter. Published when a face appears,
 * when its dominant emotion changes (with hysteresis), and when it is lost. Snake case: it is a wire format.
 */
export interface EmotionEvent {
  type: EmotionEventType;
  face_id: number;
  emotion: EmotionLabel;
  /** The REP-155 (ROS4HRI) word for `emotion`. */
  expression: Rep155Expression;
  confidence: number;
  probabilities: Record<EmotionLabel, number>;
  /** In [-1, 1], derived from the probabilities. */
  valence: number;
  arousal: number;
  box: Box;
  frame_seq: number;
  /** Milliseconds since the Unix epoch, of the frame that produced the event. */
  ts: number;
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
  source: { status: 'opening' | 'running' | 'reconnecting' | 'ended'; reconnects: number };
  /** Per-stage latency in milliseconds: capture, detect, classify, track, total. */
  latency_ms: Record<string, LatencySummary>;
  mqtt?: { connected: boolean; queued: number; dropped: number };
}
