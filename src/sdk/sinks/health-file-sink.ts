import { rename, writeFile } from 'node:fs/promises';
import { childLogger } from '../../core/log.js';
import type { PipelineOutput, PipelineSink } from './pipeline-sink.js';

const logger = childLogger('health');

/**
 * A file rewritten every `intervalSec` once frames flow (`online`) and at the end (`offline`), with the frames
 * processed so far: what service health checks and `fer-edge deploy` read. Written whole or not at all (rename).
 */
export class HealthFileSink implements PipelineSink {
  private timer: NodeJS.Timeout | undefined;
  private pipeline: PipelineOutput | undefined;

  constructor(private readonly options: { file: string; intervalSec: number }) {}

  attach(pipeline: PipelineOutput): void {
    this.pipeline = pipeline;
    pipeline.once('start', () => {
      const write = (): void => void this.write('online');
      write();
      this.timer = setInterval(write, this.options.intervalSec * 1000).unref();
    });
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.write('offline');
  }

  describe(): string {
    return `health file ${this.options.file}`;
  }

  private async write(status: 'online' | 'offline'): Promise<void> {
    const stats = this.pipeline?.stats;
    const body = JSON.stringify({ status, healthy: status === 'online', ts: Date.now(), pid: process.pid, frames: stats?.frames ?? 0, source: stats?.source.status ?? 'opening' });
    const path = this.options.file;
    try {
      await writeFile(`${path}.tmp`, body + '\n');
      await rename(`${path}.tmp`, path);
    } catch (error) {
      logger.warn({ file: path, err: (error as Error).message }, 'cannot write health file');
    }
  }
}
