import { z } from 'zod';

export const smoothingConfigSchema = z
  .object({
    /** Time constant of the exponential moving average; 0 = no smoothing. */
    timeConstantMs: z.number().min(0).default(300),
  })
  .strict();
export type SmoothingConfig = z.output<typeof smoothingConfigSchema>;

/**
 * Exponential moving average of a face's probabilities with a time constant rather than a per-frame weight, so the
 * same setting behaves alike at 5 and at 30 frames/s: a sample `dt` ms after the last weighs 1 - exp(-dt / tau).
 */
export class ProbabilitySmoother {
  private value: Float32Array | undefined;
  private lastMs = 0;

  constructor(private readonly config: SmoothingConfig) {}

  update(probabilities: Float32Array, timestampMs: number): Float32Array {
    if (!this.value || this.config.timeConstantMs === 0) {
      this.value = Float32Array.from(probabilities);
    } else {
      const dt = Math.max(0, timestampMs - this.lastMs);
      const weight = 1 - Math.exp(-dt / this.config.timeConstantMs);
      for (let i = 0; i < this.value.length; i++) this.value[i]! += weight * ((probabilities[i] ?? 0) - this.value[i]!);
    }
    this.lastMs = timestampMs;
    return this.value;
  }

  get current(): Float32Array | undefined {
    return this.value;
  }
}
