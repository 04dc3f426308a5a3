import type { Frame } from '../types.js';

/**
 * What a source is doing, as reported on the 'status' event and in PipelineStats.source: `opening` (first attempt),
 * `waiting` (not there yet, open retried: a robot booting before its camera), `running`, `reconnecting` (lost or
 * stalled after running, reopened), `ended`.
 */
export type SourceStatus = 'opening' | 'waiting' | 'running' | 'reconnecting' | 'ended';

/**
 * A camera, stream, file or image folder. OpenCV-backed sources put a BGR `Mat` in `Frame.data`.
 * `read()` resolves with the next frame, or null when the source has nothing more to give; it rejects when
 * reading failed. What null means depends on `live`: a file or folder that ends is done, while a camera or stream
 * that ends has been lost (ResilientSource reopens it).
 * `close()` may be called while a read is under way (to abandon a read that blocks): it must return promptly, and the
 * read may then settle whenever it likes (its frame, if any, is released by the caller).
 */
export interface FrameSource {
  /** True for cameras and network streams, false for files and image folders. */
  readonly live: boolean;
  open(): Promise<void>;
  read(): Promise<Frame | null>;
  close(): Promise<void>;
  /** For messages and logs, e.g. "camera /dev/video0", "file clip.mp4". */
  describe(): string;
}
