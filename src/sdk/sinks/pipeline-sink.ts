import type { EventEmitter } from 'node:events';
import type { PipelineEvents } from '../pipeline.js';
import type { PipelineStats } from '../types.js';

/** What a sink sees of the pipeline: its events, and its current stats. */
export interface PipelineOutput extends EventEmitter<PipelineEvents> {
  readonly stats: PipelineStats;
  /** The source, for messages: what it is, and why it last failed to open or read. */
  readonly source?: { describe(): string; readonly lastError?: string | undefined };
}

/**
 * A consumer of the pipeline's output (MQTT, the health file, a preview page, your own): it subscribes to the events
 * it wants ('start', 'event', 'result', 'frame', 'stats', 'end') when attached. The pipeline knows nothing else of it but
 * this: its part of the stats, and that it closes after the pipeline's last events and stats, before `run()`
 * resolves (so that MQTT flushes the `end` events and the health file says offline).
 */
export interface PipelineSink {
  attach(pipeline: PipelineOutput): void;
  /** Its own figures, merged into the pipeline's stats (e.g. `mqtt`). */
  stats?(): Partial<PipelineStats>;
  close(): Promise<void>;
  /** For the start-up log line, e.g. "MQTT mqtt://broker:1883". */
  describe(): string;
}
