import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import cv, { type Mat, type VideoCapture } from '../opencv.js';
import { SourceError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';
import { within } from '../../core/within.js';
import { matToFrame } from '../preprocess/frame-mat.js';
import type { Frame } from '../types.js';
import { trackAbandonedRead } from './abandoned-reads.js';
import { networkTimeoutOption, withCaptureOptions } from './ffmpeg-capture-options.js';
import type { FrameSource } from './frame-source.js';
import type { OpencvSourceConfig } from './plugins/opencv.js';

const logger = childLogger('capture');

/** How long close() waits for a read under way: longer than a frame of a live camera, short enough for a stop. */
const READ_SETTLE_MS = 250;

export class OpencvSource implements FrameSource {
  readonly live: boolean;
  private capture: VideoCapture | null = null;
  private pendingRead: Promise<Mat> | null = null;
  private seq = 0;
  /** Realtime file playback: when the first frame since (re)opening was delivered, and the frames delivered since. */
  private clockStartMs = 0;
  private framesSinceStart = 0;
  private fileFps = 0;
  /** Fast file playback: the time stamp of frame 0 (seq 0); frame n is stamped n/fps seconds later. */
  private mediaEpochMs: number | undefined;

  constructor(private readonly config: OpencvSourceConfig) {
    this.live = config.file === undefined;
  }

  describe(): string {
    const { device, file, url, gstreamer } = this.config;
    if (device !== undefined) return `camera ${device}`;
    if (file !== undefined) return `file ${file}`;
    if (url !== undefined) return `stream ${redactPassword(url)}`;
    return `GStreamer pipeline "${gstreamer}"`;
  }

  async open(): Promise<void> {
    await this.close();
    this.capture = this.openCapture();
    this.applyRequestedFormat(this.capture);
    this.fileFps = this.config.fps ?? this.capture.get(cv.CAP_PROP_FPS);
    this.framesSinceStart = 0;
  }

  async read(): Promise<Frame | null> {
    let mat = await this.grab();
    if (mat.empty && this.config.file !== undefined && this.config.loop) {
      await this.open();
      mat = await this.grab();
    }
    if (mat.empty) return null;
    if (this.config.file !== undefined && this.config.playback === 'realtime') await this.pace();
    return matToFrame(mat, this.seq, this.timestampOf(this.seq++));
  }

  async close(): Promise<void> {
    const { capture, pendingRead } = this;
    this.capture = null;
    this.pendingRead = null;
    if (!capture) return;
    // Releasing the capture while a readAsync runs on the thread pool would free it under the reader's feet. A read
    // that blocks (a stream or camera that stalled: OpenCV's V4L2 and GStreamer reads have no timeout) is abandoned:
    // the capture is released when it returns, and the source can reopen meanwhile.
    if (pendingRead && !(await within(pendingRead.then(() => true, () => true), READ_SETTLE_MS, false))) {
      logger.debug({ source: this.describe() }, 'read still blocked: capture released when it returns');
      trackAbandonedRead(pendingRead);
      pendingRead.then(
        () => capture.release(),
        () => capture.release(),
      );
      return;
    }
    capture.release();
  }

  private openCapture(): VideoCapture {
    const { device, file, url, gstreamer } = this.config;
    const devicePath = typeof device === 'number' ? `/dev/video${device}` : device;
    if (devicePath !== undefined && !existsSync(devicePath)) throw new SourceError(`${devicePath} does not exist`);
    if (file !== undefined && !existsSync(file)) throw new SourceError('no such file');
    try {
      if (gstreamer !== undefined) return new cv.VideoCapture(gstreamer, cv.CAP_GSTREAMER);
      if (device !== undefined) return new cv.VideoCapture(device, cv.CAP_V4L2);
      if (url !== undefined) return withCaptureOptions(networkTimeoutOption(url, this.config.networkTimeoutMs), () => new cv.VideoCapture(url, cv.CAP_FFMPEG));
      return new cv.VideoCapture(file as string, cv.CAP_FFMPEG);
    } catch {
      // opencv4nodejs only says "failed to open capture"
      throw new SourceError(url !== undefined ? 'OpenCV could not connect to it or read its format' : 'OpenCV could not open it');
    }
  }

  private applyRequestedFormat(capture: VideoCapture): void {
    if (this.config.file !== undefined || this.config.gstreamer !== undefined) return;
    const { width, height, fps } = this.config;
    if (width) capture.set(cv.CAP_PROP_FRAME_WIDTH, width);
    if (height) capture.set(cv.CAP_PROP_FRAME_HEIGHT, height);
    if (fps) capture.set(cv.CAP_PROP_FPS, fps);
  }

  private async grab(): Promise<Mat> {
    if (!this.capture) throw new SourceError(`${this.describe()} is not open`);
    const read = this.capture.readAsync();
    this.pendingRead = read;
    try {
      return await read;
    } finally {
      if (this.pendingRead === read) this.pendingRead = null;
    }
  }

  /** Capture time, or for a file read as fast as possible its frame's time on the file's clock. */
  private timestampOf(seq: number): number {
    if (this.config.file === undefined || this.config.playback !== 'fast' || !(this.fileFps > 0)) return Date.now();
    this.mediaEpochMs ??= Date.now() - (seq * 1000) / this.fileFps;
    return this.mediaEpochMs + (seq * 1000) / this.fileFps;
  }

  /** Holds a file's frame until its presentation time, so a 24 fps file plays at 24 fps. */
  private async pace(): Promise<void> {
    if (!(this.fileFps > 0)) return;
    if (this.framesSinceStart === 0) this.clockStartMs = performance.now();
    const dueMs = this.clockStartMs + (this.framesSinceStart * 1000) / this.fileFps;
    this.framesSinceStart++;
    const waitMs = dueMs - performance.now();
    if (waitMs > 1) await sleep(waitMs);
  }
}


function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
