import { z } from 'zod';

export const smoothingConfigSchema = z
  .object({
    /**
     * Time constant of the exponential moving average; 0 = no smoothing. The average is bias-corrected: a face's first
     * classification is its first value, its first few weigh about equally (instead of the first one weighing ~0.87
     * after the second at 24 frames/s), and after a few time constants it is the ordinary EMA.
     */
    timeConstantMs: z.number().min(0).default(300),
  })
  .strict();
export type SmoothingConfig = z.output<typeof smoothingConfigSchema>;

/**
 * Exponential moving average of a face's probabilities with a time constant rather than a per-frame weight, so the
 * same setting behaves alike at 5 and at 30 frames/s: a sample `dt` ms after the last weighs w = 1 - exp(-dt / tau).
 *
 * Bias-corrected (debiased) as Adam's moment estimates are: the average accumulates as if it started from zero,
 * m <- (1 - w) m + w x, together with the weight accumulated so far, W <- (1 - w) W + w, and reports m / W. An EMA
 * initialised with its first sample instead lets that one sample dominate a young face (at 24 frames/s and 300 ms it
 * still weighs 0.87 after the second sample, 0.76 after the third), so a new face's label would be its first
 * classification. Debiased, the first output is the first sample, the first samples of a face weigh about equally
 * (k samples dt apart: the j-th weighs w (1 - w)^(k - j) / (1 - (1 - w)^k), ~1/k while k dt << tau), and as W tends
 * to 1 (1 - exp(-3) = 0.95 after three time constants) the output tends to the ordinary EMA's, which it equals in
 * steady state. The first sample, having no interval before it, is given the weight of the interval after it.
 *
 * Kept as the normalised mean v = m / W, which updates as v <- v + (w / W) (x - v) with W already updated.
 */
export class ProbabilitySmoother {
  private value: Float32Array | undefined;
  private lastMs = 0;
  /** The weight accumulated so far (W above); undefined until a second sample gives the first one its weight. */
  private accumulated: number | undefined;

  constructor(private readonly config: SmoothingConfig) {}

  update(probabilities: Float32Array, timestampMs: number): Float32Array {
    if (!this.value || this.config.timeConstantMs === 0) {
      this.value = Float32Array.from(probabilities);
      this.accumulated = undefined;
    } else {
      const dt = Math.max(0, timestampMs - this.lastMs);
      const weight = 1 - Math.exp(-dt / this.config.timeConstantMs);
      const before = this.accumulated ?? weight;
      const accumulated = (1 - weight) * before + weight;
      // A sample at the same time stamp (dt 0) weighs nothing, as in the ordinary EMA.
      const gain = accumulated > 0 ? weight / accumulated : 0;
      if (accumulated > 0) this.accumulated = accumulated;
      for (let i = 0; i < this.value.length; i++) this.value[i]! += gain * ((probabilities[i] ?? 0) - this.value[i]!);
    }
    this.lastMs = timestampMs;
    return this.value;
  }

  get current(): Float32Array | undefined {
    return this.value;
  }
}
