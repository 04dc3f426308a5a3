import { LatestFrame, type FrameSource } from '../capture/index.js';
import type { Frame } from './types.js';

/**
 * How the pipeline pulls frames. Live sources (and files played at real time) go through LatestFrame: the newest
 * frame wins and stale ones are dropped. A file read as fast as possible is processed frame by frame instead, with
 * one frame decoded ahead so that decoding overlaps processing, and nothing is dropped.
 */
export class FrameFeed {
  private readonly latest: LatestFrame | undefined;
  private ahead: Promise<Frame | null> | undefined;
  private stopped = false;

  constructor(
    private readonly source: FrameSource,
    dropStale: boolean,
  ) {
    this.latest = dropStale ? new LatestFrame(source) : undefined;
  }

  get dropped(): number {
    return this.latest?.dropped ?? 0;
  }

  start(): void {
    if (this.latest) this.latest.start();
    else this.ahead = this.source.read();
  }

  async next(): Promise<Frame | null> {
    if (this.latest) return this.latest.next();
    if (this.stopped || !this.ahead) return null;
    const frame = await this.ahead;
    this.ahead = frame && !this.stopped ? this.source.read() : undefined;
    return frame;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.latest) return this.latest.stop();
    await this.ahead?.catch(() => null);
    this.ahead = undefined;
    await this.source.close();
  }
}
