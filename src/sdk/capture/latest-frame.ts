import { releaseFrame } from '../release-frame.js';
import type { Frame } from '../types.js';
import type { FrameSource } from './frame-source.js';

/**
 * Latest frame wins: a reader loop pulls frames from the source as fast as it delivers them and keeps only the
 * newest one. `next()` resolves with a frame the consumer has not seen yet (waiting for one if needed), or null once
 * the source has ended. A frame replaced before anyone took it is dropped and counted, so a slow consumer never
 * builds a queue and never holds back the capture loop.
 */
export class LatestFrame {
  private latest: Frame | null = null;
  private waiter: { resolve: (frame: Frame | null) => void; reject: (error: unknown) => void } | null = null;
  private ended = false;
  private failure: unknown = null;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private droppedCount = 0;
  private capturedCount = 0;

  constructor(private readonly source: FrameSource) {}

  /** Frames read from the source so far. */
  get captured(): number {
    return this.capturedCount;
  }

  /** Frames replaced by a newer one before the consumer took them. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Starts the reader loop; the source must be open. */
  start(): void {
    this.loop ??= this.run();
  }

  next(): Promise<Frame | null> {
    if (this.latest) {
      const frame = this.latest;
      this.latest = null;
      return Promise.resolve(frame);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new Error('LatestFrame.next() called again before the previous call resolved'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Ends the reader loop after the read in progress and closes the source. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.source.close();
    await this.loop;
    if (this.latest) releaseFrame(this.latest);
    this.latest = null;
    this.finish(null);
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        const frame = await this.source.read();
        if (!frame) break;
        if (this.stopping) {
          releaseFrame(frame);
          break;
        }
        this.capturedCount++;
        this.deliver(frame);
      }
      this.finish(null);
    } catch (error) {
      this.finish(this.stopping ? null : error);
    }
  }

  private deliver(frame: Frame): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve(frame);
      return;
    }
    if (this.latest) {
      this.droppedCount++;
      releaseFrame(this.latest);
    }
    this.latest = frame;
  }

  private finish(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    const waiter = this.waiter;
    this.waiter = null;
    if (!waiter) return;
    if (error) waiter.reject(error);
    else waiter.resolve(null);
  }
}
