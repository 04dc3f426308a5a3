import { renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { childLogger } from '../../core/log.js';
import { FpsCounter } from '../metrics/index.js';
import { healthStatus, isHealthy, type HealthStatus } from './health-status.js';
import type { PipelineOutput, PipelineSink } from './pipeline-sink.js';

const logger = childLogger('health');

export const HEALTH_SCHEMA = 'fer-edge/health@1';

/** How often the status is re-evaluated between the periodic writes, so that `stalled` shows on time. */
const CHECK_MS = 500;

export interface HealthFileOptions {
  file: string;
  intervalSec: number;
  stallSec: number;
}

/**
 * The health file: one line of JSON (schema fer-edge/health@1) saying whether work is being done (frames processed
 * lately, the source, MQTT), written whole (tmp + rename) when attached, every `intervalSec`, on every status change
 * and at the end (`offline`). What service health checks and `fer-edge deploy` read.
 */
export class HealthFileSink implements PipelineSink {
  private pipeline: PipelineOutput | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly fps: FpsCounter;
  private lastFrameAt: number | null = null;
  private source = { status: 'opening' as HealthSourceStatus, since: Date.now() };
  private written: HealthStatus | undefined;
  private stopped = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: HealthFileOptions) {
    this.fps = new FpsCounter(options.intervalSec * 1000, 4096);
  }

  attach(pipeline: PipelineOutput): void {
    this.pipeline = pipeline;
    this.source = { status: pipeline.stats.source.status, since: Date.now() };
    pipeline.on('result', () => {
      this.lastFrameAt = Date.now();
      this.fps.tick();
      if (this.written !== 'online' && this.written !== 'degraded') this.writeIfChanged();
    });
    pipeline.on('status', ({ status }) => {
      this.source = { status, since: Date.now() };
      this.writeIfChanged();
    });
    this.write();
    this.timers.push(setInterval(() => this.write(), this.options.intervalSec * 1000).unref());
    this.timers.push(setInterval(() => this.writeIfChanged(), Math.min(CHECK_MS, this.options.intervalSec * 1000)).unref());
  }

  async close(): Promise<void> {
    this.stop();
    this.write();
    await this.writing;
  }

  /** Writes `offline` at once, synchronously: for a process about to exit without closing its sinks. */
  closeNow(reason: string): void {
    this.stop();
    this.writeSync(this.report(reason));
  }

  describe(): string {
    return `health file ${this.options.file}`;
  }

  /** The report as it would be written now. */
  report(offlineReason?: string): Record<string, unknown> {
    const stats = this.pipeline?.stats;
    const now = Date.now();
    const mqtt = stats?.mqtt ?? null;
    const { status, reason } = healthStatus({
      now,
      stallMs: this.options.stallSec * 1000,
      frames: stats?.frames ?? 0,
      lastFrameAt: this.lastFrameAt,
      source: { ...this.source, describe: this.pipeline?.source?.describe() ?? 'the source', lastError: this.pipeline?.source?.lastError },
      mqtt,
      stopped: this.stopped,
    });
    return {
      schema: HEALTH_SCHEMA,
      status,
      healthy: isHealthy(status),
      ts: now,
      pid: process.pid,
      started: Math.round(performance.timeOrigin),
      frames: stats?.frames ?? 0,
      last_frame_ts: this.lastFrameAt,
      fps: Math.round(this.fps.rate() * 10) / 10,
      source: this.source.status,
      mqtt: mqtt && { state: mqtt.state, queued: mqtt.queued, spooled: mqtt.spooled, dropped: mqtt.dropped, refused: mqtt.refused },
      ...(reason ? { reason: status === 'offline' && offlineReason ? offlineReason : reason } : {}),
    };
  }

  private stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.stopped = true;
  }

  private writeIfChanged(): void {
    const report = this.report();
    if (healthStatusOf(report) !== this.written) this.write(report);
  }

  /** Writes in order, one at a time (they share the tmp file). */
  private write(report = this.report()): void {
    this.written = healthStatusOf(report);
    const path = this.options.file;
    const body = JSON.stringify(report) + '\n';
    this.writing = this.writing.then(async () => {
      try {
        await writeFile(`${path}.tmp`, body);
        await rename(`${path}.tmp`, path);
      } catch (error) {
        logger.warn({ file: path, err: (error as Error).message }, 'cannot write health file');
      }
    });
  }

  private writeSync(report: Record<string, unknown>): void {
    const path = this.options.file;
    try {
      writeFileSync(`${path}.sync.tmp`, JSON.stringify(report) + '\n');
      renameSync(`${path}.sync.tmp`, path);
    } catch (error) {
      logger.warn({ file: path, err: (error as Error).message }, 'cannot write health file');
    }
  }
}

type HealthSourceStatus = PipelineOutput['stats']['source']['status'];

function healthStatusOf(report: Record<string, unknown>): HealthStatus {
  return report.status as HealthStatus;
}
