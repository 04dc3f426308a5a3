import { z } from 'zod';

export const hysteresisConfigSchema = z
  .object({
    /** A new emotion must beat the current one's smoothed probability by this much... */
    margin: z.number().min(0).max(1).default(0.1),
    /** ...for this long without interruption... */
    minDurationMs: z.number().min(0).default(500),
    /** ...and reach at least this probability. */
    minConfidence: z.number().min(0).max(1).default(0.4),
  })
  .strict();
export type HysteresisConfig = z.output<typeof hysteresisConfigSchema>;

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** The dominant emotion of one face, which changes only with margin, duration and confidence (hysteresis). */
export class DominantEmotion {
  private currentIndex: number | undefined;
  private candidate: { index: number; sinceMs: number } | undefined;
  private sinceMs = 0;

  constructor(private readonly config: HysteresisConfig) {}

  get index(): number | undefined {
    return this.currentIndex;
  }

  /** When the current dominant emotion began. */
  get since(): number {
    return this.sinceMs;
  }

  /**
   * Sets the dominant emotion to the top one of these smoothed probabilities, without hysteresis: for a face nothing
   * has been reported about yet (no event to flap), so that its first report takes the top emotion of the average of
   * its classifications so far rather than of its first one. `since` moves only when the emotion changes.
   */
  follow(probabilities: ArrayLike<number>, timestampMs: number): void {
    const best = argmax(probabilities);
    if (best !== this.currentIndex) {
      this.currentIndex = best;
      this.sinceMs = timestampMs;
    }
    this.candidate = undefined;
  }

  /** Feeds smoothed probabilities; true when the dominant emotion switched. The first call only sets it. */
  observe(probabilities: ArrayLike<number>, timestampMs: number): boolean {
    const best = argmax(probabilities);
    if (this.currentIndex === undefined) {
      this.currentIndex = best;
      this.sinceMs = timestampMs;
      return false;
    }
    const current = probabilities[this.currentIndex]!;
    const challenger = probabilities[best]!;
    const wins = best !== this.currentIndex && challenger >= current + this.config.margin && challenger >= this.config.minConfidence;
    if (!wins) {
      this.candidate = undefined;
      return false;
    }
    if (this.candidate?.index !== best) this.candidate = { index: best, sinceMs: timestampMs };
    if (timestampMs - this.candidate.sinceMs < this.config.minDurationMs) return false;
    this.currentIndex = best;
    this.sinceMs = timestampMs;
    this.candidate = undefined;
    return true;
  }
}
