import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { SourceError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';
import { releaseFrame } from '../release-frame.js';
import type { Frame } from '../types.js';
import type { FrameSource, SourceStatus } from './frame-source.js';
import { backoffDelayMs, type ReconnectOptions } from './reconnect-options.js';

const logger = childLogger('capture');

export interface SourceStatusEvent {
  status: SourceStatus;
  reconnects: number;
}

/** A live source delivered no frame within `readTimeoutMs`. */
class ReadTimeout extends Error {
  constructor(ms: number) {
    super(`no frame for ${(ms / 1000).toFixed(1)} s`);
  }
}

/**
 * Wraps a source so that failing to open, a lost camera or stream, read errors of a live source and a live source that
 * stalls (no frame within `readTimeoutMs`) are retried with backoff; frames then resume by themselves. Sequence
 * numbers stay monotonic across reopenings. A file or folder that ends is a normal end. Emits 'status' with a
 * SourceStatusEvent on every change. `close()` aborts whatever is under way (opening, waiting, reconnecting, a read
 * that blocks) at once: the pending open or read resolves, `read()` gives null.
 */
export class ResilientSource extends EventEmitter implements FrameSource {
  private statusValue: SourceStatus = 'opening';
  private reconnectCount = 0;
  private nextSeq = 0;
  private isOpen = false;
  private lastErrorValue: string | undefined;
  private readonly closing = new AbortController();

  constructor(
    private readonly inner: FrameSource,
    private readonly options: ReconnectOptions,
  ) {
    super();
  }

  get live(): boolean {
    return this.inner.live;
  }

  get status(): SourceStatus {
    return this.statusValue;
  }

  get reconnects(): number {
    return this.reconnectCount;
  }

  /** Why the last open or read failed (for health reports); undefined before any failure. */
  get lastError(): string | undefined {
    return this.lastErrorValue;
  }

  describe(): string {
    return this.inner.describe();
  }

  /**
   * Opens the source, retrying per `reconnect` (`waiting` after the first failure); a SourceError once the attempts are
   * spent. Resolves without opening when closed meanwhile (status `ended`).
   */
  async open(): Promise<void> {
    this.setStatus('opening');
    await this.openWithRetries('could not be opened', 'waiting');
    // Closed while still trying: stay ended, reads give null.
    this.setStatus(this.closing.signal.aborted ? 'ended' : 'running');
  }

  async read(): Promise<Frame | null> {
    while (this.statusValue !== 'ended' && !this.closing.signal.aborted) {
      let frame: Frame | null;
      try {
        frame = await this.readOrGiveUp();
      } catch (error) {
        if (this.closing.signal.aborted) break;
        if (!this.live) throw asSourceError(error, `${this.describe()} could not be read`);
        this.lastErrorValue = message(error);
        logger.warn({ source: this.describe(), err: message(error) }, error instanceof ReadTimeout ? 'source stalled, reconnecting' : 'read failed, reconnecting');
        await this.reconnect();
        continue;
      }
      if (frame) {
        if (this.closing.signal.aborted) {
          releaseFrame(frame);
          break;
        }
        this.setStatus('running');
        return { ...frame, seq: this.nextSeq++ };
      }
      if (this.closing.signal.aborted || !this.live) break;
      this.lastErrorValue = 'the source ended';
      logger.warn({ source: this.describe() }, 'source lost, reconnecting');
      await this.reconnect();
    }
    this.setStatus('ended');
    return null;
  }

  async close(): Promise<void> {
    this.closing.abort();
    if (this.isOpen) await this.closeInner();
    this.setStatus('ended');
  }

  /**
   * The inner source's next frame, or null once closed, or a ReadTimeout when a live source gives nothing for
   * `readTimeoutMs`. A read given up on may still settle later: its frame is then released, its failure ignored.
   */
  private readOrGiveUp(): Promise<Frame | null> {
    const read = this.inner.read();
    const timeoutMs = this.live ? this.options.readTimeoutMs : 0;
    const signal = this.closing.signal;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (done: () => void): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onClose);
        done();
        return true;
      };
      const onClose = (): void => void settle(() => resolve(null));
      const timer = timeoutMs > 0 ? setTimeout(() => settle(() => reject(new ReadTimeout(timeoutMs))), timeoutMs) : undefined;
      signal.addEventListener('abort', onClose, { once: true });
      read.then(
        (frame) => {
          if (!settle(() => resolve(frame)) && frame) releaseFrame(frame);
        },
        (error: unknown) => void settle(() => reject(error)),
      );
    });
  }

  private async reconnect(): Promise<void> {
    this.reconnectCount++;
    this.setStatus('reconnecting');
    // Closing abandons a read that still blocks (the source releases that capture when the read returns).
    await this.closeInner();
    // `attempts` bounds the first open (a mistyped --source should fail fast); a source that has run is retried for
    // as long as it takes, so a robot's pipeline resumes by itself however long the camera or stream was away.
    await this.openWithRetries('was lost and could not be reopened', 'reconnecting', true, 0);
  }

  private async openWithRetries(failure: string, retryStatus: SourceStatus, waitFirst = false, attempts = this.options.attempts): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempts === 0 || attempt < attempts; attempt++) {
      if (attempt > 0 || waitFirst) await this.wait(backoffDelayMs(this.options, waitFirst ? attempt : attempt - 1));
      if (this.closing.signal.aborted) return;
      try {
        await this.inner.open();
        if (this.closing.signal.aborted) {
          await this.closeInner();
          return;
        }
        this.isOpen = true;
        if (attempt > 0 && retryStatus === 'waiting') logger.info({ source: this.describe(), attempts: attempt + 1 }, 'source appeared');
        return;
      } catch (error) {
        lastError = error;
        this.lastErrorValue = message(error);
        await this.closeInner();
        logger.debug({ source: this.describe(), attempt: attempt + 1, err: message(error) }, 'open failed');
        if (attempt === 0 && retryStatus === 'waiting' && attempts !== 1) {
          logger.warn({ source: this.describe(), err: message(error) }, 'waiting for source');
          this.setStatus('waiting');
        }
      }
    }
    this.setStatus('ended');
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    throw new SourceError(`${this.describe()} ${failure} (${tries}): ${message(lastError)}`);
  }

  private async wait(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.closing.signal });
    } catch {
      // closed while waiting: the caller checks the signal
    }
  }

  private async closeInner(): Promise<void> {
    try {
      await this.inner.close();
    } catch (error) {
      logger.debug({ source: this.describe(), err: message(error) }, 'close failed');
    }
    this.isOpen = false;
  }

  private setStatus(status: SourceStatus): void {
    if (status === this.statusValue && status !== 'opening') return;
    this.statusValue = status;
    const event: SourceStatusEvent = { status, reconnects: this.reconnectCount };
    this.emit('status', event);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asSourceError(error: unknown, prefix: string): SourceError {
  return error instanceof SourceError ? error : new SourceError(`${prefix}: ${message(error)}`);
}
