import type { PipelineStats } from '../types.js';

/** The health file's `status` (schema fer-edge/health@1). */
export type HealthStatus = 'starting' | 'waiting' | 'online' | 'degraded' | 'stalled' | 'failed' | 'offline';

export interface HealthInputs {
  now: number;
  stallMs: number;
  frames: number;
  /** When the last frame was processed (ms epoch), or null before the first. */
  lastFrameAt: number | null;
  source: { status: PipelineStats['source']['status']; since: number; describe: string; lastError?: string | undefined };
  mqtt: PipelineStats['mqtt'] | null;
  stopped: boolean;
}

/**
 * What the pipeline is doing, from the service's point of view: `online` and `degraded` (frames flow, events queue
 * for an unreachable broker) are healthy; the others say why not in `reason`.
 */
export function healthStatus(input: HealthInputs): { status: HealthStatus; reason?: string } {
  const { now, stallMs, source, mqtt } = input;
  if (input.stopped) return { status: 'offline', reason: 'stopped' };
  if (mqtt?.state === 'refused') return { status: 'failed', reason: 'the MQTT broker refused the login' };
  const sourceNow = `source ${source.status}${source.lastError && source.status !== 'running' ? `: ${source.lastError}` : ''}`;
  if (source.status === 'waiting') return { status: 'waiting', reason: `waiting for ${source.describe}${source.lastError ? `: ${source.lastError}` : ''}` };
  if (input.lastFrameAt === null) {
    const opened = source.status === 'running' || source.status === 'reconnecting';
    if (opened && now - source.since > stallMs) return { status: 'stalled', reason: `no frame processed in ${seconds(now - source.since)} since ${source.describe} opened (${sourceNow})` };
    return { status: 'starting', reason: source.status === 'opening' ? `opening ${source.describe}` : 'no frame processed yet' };
  }
  if (now - input.lastFrameAt > stallMs) return { status: 'stalled', reason: `no frame processed for ${seconds(now - input.lastFrameAt)} (${sourceNow})` };
  if (mqtt?.state === 'unreachable') return { status: 'degraded', reason: `MQTT broker unreachable: ${mqtt.queued} events queued` };
  return { status: 'online' };
}

export function isHealthy(status: HealthStatus): boolean {
  return status === 'online' || status === 'degraded';
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
