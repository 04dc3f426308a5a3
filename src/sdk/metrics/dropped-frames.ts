/** Counts frames the pipeline skipped, in total and by reason (e.g. "stale": a newer frame replaced it). */
export class DroppedFrames {
  private readonly reasons = new Map<string, number>();
  private count = 0;

  record(reason = 'stale', frames = 1): void {
    this.count += frames;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + frames);
  }

  get total(): number {
    return this.count;
  }

  byReason(): Record<string, number> {
    return Object.fromEntries(this.reasons);
  }
}
