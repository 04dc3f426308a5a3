import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { SourceError } from '../../core/errors.js';
import { childLogger } from '../../core/log.js';
import type { Frame } from '../types.js';
import type { FrameSource, SourceStatus } from './frame-source.js';
import { backoffDelayMs, type ReconnectOptions } from './reconnect-options.js';

const logger = childLogger('capture');

export interface SourceStatusEvent {
  status: SourceStatus;
  reconnects: number;
}

/**
 * Wraps a source so that failing to open, a lost camera or stream and read errors of a live source are retried with
 * exponential backoff; frames then resume by themselves. Sequence numbers stay monotonic across reopenings.
 * A file or folder that ends is a normal end. Emits 'status' with a SourceStatusEvent on every change.
 */
export class ResilientSource extends EventEmitter implements FrameSource {
  private statusValue: SourceStatus = 'opening';
  private reconnectCount = 0;
  private nextSeq = 0;
  private isOpen = false;
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

  describe(): string {
    return this.inner.describe();
  }

  async open(): Promise<void> {
    this.setStatus('opening');
    await this.openWithRetries('could not be opened');
    // Closed while still trying: stay ended, reads give null.
    this.setStatus(this.closing.signal.aborted ? 'ended' : 'running');
  }

  async read(): Promise<Frame | null> {
    while (this.statusValue !== 'ended' && !this.closing.signal.aborted) {
      let frame: Frame | null;
      try {
        frame = await this.inner.read();
      } catch (error) {
        if (!this.live) throw asSourceError(error, `${this.describe()} could not be read`);
        logger.warn({ source: this.describe(), err: message(error) }, 'read failed, reconnecting');
        await this.reconnect();
        continue;
      }
      if (frame) {
        if (this.closing.signal.aborted) break;
        this.setStatus('running');
        return { ...frame, seq: this.nextSeq++ };
      }
      if (!this.live) break;
      logger.warn({ source: this.describe() }, 'source lost, reconnecting');
      await this.reconnect();
    }
    this.setStatus('ended');
    return null;
  }

  async close(): Promise<void> {
    this.closing.abort();
    if (this.isOpen) await this.inner.close();
    this.isOpen = false;
    this.setStatus('ended');
  }

  private async reconnect(): Promise<void> {
    this.reconnectCount++;
    this.setStatus('reconnecting');
    await this.closeInner();
    // `attempts` bounds the first open (a mistyped --source should fail fast); a source that has run is retried for
    // as long as it takes, so a robot's pipeline resumes by itself however long the camera or stream was away.
    await this.openWithRetries('was lost and could not be reopened', true, 0);
  }

  private async openWithRetries(failure: string, waitFirst = false, attempts = this.options.attempts): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempts === 0 || attempt < attempts; attempt++) {
      if (attempt > 0 || waitFirst) await this.wait(backoffDelayMs(this.options, waitFirst ? attempt : attempt - 1));
      if (this.closing.signal.aborted) return;
      try {
        await this.inner.open();
        this.isOpen = true;
        return;
      } catch (error) {
        lastError = error;
        await this.closeInner();
        logger.debug({ source: this.describe(), attempt: attempt + 1, err: message(error) }, 'open failed');
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
