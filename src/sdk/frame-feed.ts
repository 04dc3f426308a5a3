import { LatestFrame, type FrameSource } from './capture/index.js';
import { releaseFrame } from './release-frame.js';
import type { Frame } from './types.js';

/**
 * Frames a file read as fast as possible keeps decoded ahead of processing. One is not enough: a detection frame
 * holds the pipeline for several decode times, and with a single frame ahead the decoder (on libuv's pool) then sits
 * idle, so decoding stops overlapping detection. Four 640x360 BGR frames are under 3 MB.
 */
export const FILE_READ_AHEAD = 4;

/**
 * How the pipeline pulls frames. Live sources (and files played at real time) go through LatestFrame: the newest
 * frame wins and stale ones are dropped. A file read as fast as possible is processed frame by frame instead, with
 * up to `readAhead` frames decoded ahead so that decoding overlaps processing, and nothing is dropped.
 */
export class FrameFeed {
  private readonly latest: LatestFrame | undefined;
  /** Reads decoded or under way, oldest first; each starts when the one before it is done (a capture reads in order). */
  private readonly queue: Array<Promise<Frame | null>> = [];
  /** The newest read, taken or not: the next one chains on it, so no two reads of the capture ever overlap. */
  private lastRead: Promise<Frame | null | undefined> = Promise.resolve(undefined);
  private stopped = false;

  constructor(
    private readonly source: FrameSource,
    dropStale: boolean,
    private readonly readAhead = FILE_READ_AHEAD,
  ) {
    this.latest = dropStale ? new LatestFrame(source) : undefined;
  }

  get dropped(): number {
    return this.latest?.dropped ?? 0;
  }

  start(): void {
    if (this.latest) this.latest.start();
    else this.fill();
  }

  async next(): Promise<Frame | null> {
    if (this.latest) return this.latest.next();
    const head = this.queue.shift();
    if (this.stopped || !head) return null;
    this.fill();
    return head;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.latest) return this.latest.stop();
    for (const read of this.queue.splice(0)) {
      const frame = await read.catch(() => null);
      if (frame) releaseFrame(frame);
    }
    // The newest read may be one already handed out: the capture is closed only once it is done.
    await this.lastRead.catch(() => null);
    await this.source.close();
  }

  private fill(): void {
    while (this.queue.length < this.readAhead) {
      // After the end (null), a failed read or stop(), the reads queued behind resolve to null without reading.
      const read = this.lastRead.then(
        (frame) => (frame === null || this.stopped ? null : this.source.read()),
        () => null,
      );
      // A failure is reported when its frame's turn comes; until then it must not count as unhandled.
      read.catch(() => undefined);
      this.queue.push(read);
      this.lastRead = read;
    }
  }
}
