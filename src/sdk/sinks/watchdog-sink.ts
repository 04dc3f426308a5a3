import { Worker } from 'node:worker_threads';
import type { PipelineOutput, PipelineSink } from './pipeline-sink.js';

/** Counters the main thread bumps and the watchdog thread watches: [event loop alive, work progressing]. */
const LOOP = 0;
const PROGRESS = 1;

/**
 * The watchdog's thread (its own event loop, so it runs while the main one is blocked): when a counter has not moved
 * for `limitMs`, it writes one line to stderr (synchronously: the main thread may not answer) and kills the process.
 */
const WATCHDOG_THREAD = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { counters, limitMs } = workerData;
const seen = [Atomics.load(counters, 0), Atomics.load(counters, 1)];
const movedAt = [Date.now(), Date.now()];
const what = ['the event loop has not answered', 'no frame has been processed while the source runs'];
setInterval(() => {
  const now = Date.now();
  for (let i = 0; i < 2; i++) {
    const value = Atomics.load(counters, i);
    if (value !== seen[i]) { seen[i] = value; movedAt[i] = now; continue; }
    if (now - movedAt[i] <= limitMs) continue;
    writeSync(2, 'fer-edge: watchdog: ' + what[i] + ' for ' + Math.round((now - movedAt[i]) / 1000) + ' s; killing the process so that the service restarts\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, Math.max(50, Math.min(1000, limitMs / 4)));
`;

/**
 * Restarts a hung pipeline through the service manager: a thread of its own kills the process (SIGKILL, so the
 * service's Restart= brings it back) when the main event loop stops answering, or when no frame is processed while the
 * source runs, for `watchdogSec`. The frame check is armed by the first processed frame (a first start may spend
 * minutes building a TensorRT engine) and paused while the source is not running (waiting for a camera, reconnecting).
 */
export class WatchdogSink implements PipelineSink {
  private readonly counters = new Int32Array(new SharedArrayBuffer(8));
  private worker: Worker | undefined;
  private beat: NodeJS.Timeout | undefined;
  private sourceRunning = false;
  private armed = false;

  constructor(private readonly watchdogSec: number) {}

  attach(pipeline: PipelineOutput): void {
    const limitMs = this.watchdogSec * 1000;
    this.worker = new Worker(WATCHDOG_THREAD, { eval: true, workerData: { counters: this.counters, limitMs } });
    this.worker.unref();
    this.sourceRunning = pipeline.stats.source.status === 'running';
    pipeline.on('status', ({ status }) => (this.sourceRunning = status === 'running'));
    pipeline.on('result', () => {
      this.armed = true;
      Atomics.add(this.counters, PROGRESS, 1);
    });
    this.beat = setInterval(
      () => {
        Atomics.add(this.counters, LOOP, 1);
        if (!this.armed || !this.sourceRunning) Atomics.add(this.counters, PROGRESS, 1);
      },
      Math.max(50, Math.min(1000, limitMs / 4)),
    ).unref();
  }

  async close(): Promise<void> {
    clearInterval(this.beat);
    await this.worker?.terminate();
    this.worker = undefined;
  }

  describe(): string {
    return `watchdog ${this.watchdogSec} s`;
  }
}
