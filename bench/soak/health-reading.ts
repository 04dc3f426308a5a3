import { readFile } from 'node:fs/promises';

/**
 * The fields of the health file (README "Health file") the soak bench reads; the file may carry more, and any of
 * these but `frames` and `ts` may be missing in older versions.
 */
export interface HealthReading {
  ts: number;
  frames: number;
  status?: string;
  /** `mqtt.queued`, when the file reports the outbox. */
  queued?: number;
}

/** The health file as last written (it is replaced whole), or undefined when absent or not readable yet. */
export async function readHealth(file: string): Promise<HealthReading | undefined> {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof parsed.ts !== 'number' || typeof parsed.frames !== 'number') return undefined;
  const mqtt = parsed.mqtt as { queued?: unknown } | null | undefined;
  return {
    ts: parsed.ts,
    frames: parsed.frames,
    status: typeof parsed.status === 'string' ? parsed.status : undefined,
    queued: typeof mqtt?.queued === 'number' ? mqtt.queued : undefined,
  };
}
