/**
 * Frames per second over a sliding time window (default 5 s). Keeps the last `capacity` tick times in a ring buffer,
 * so `tick` allocates nothing; the rate falls to 0 once ticks stop for a whole window.
 */
export class FpsCounter {
  private readonly times: Float64Array;
  private held = 0;
  private next = 0;
  private firstTick = Number.NaN;
  private ticks = 0;

  constructor(
    readonly windowMs = 5000,
    readonly capacity = 1024,
  ) {
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`capacity must be an integer >= 2, got ${capacity}`);
    this.times = new Float64Array(capacity);
  }

  /** Call once per frame; `nowMs` defaults to `performance.now()`. */
  tick(nowMs: number = performance.now()): void {
    if (this.ticks === 0) this.firstTick = nowMs;
    this.ticks++;
    this.times[this.next] = nowMs;
    this.next = (this.next + 1) % this.capacity;
    if (this.held < this.capacity) this.held++;
  }

  /** Ticks per second over the last `windowMs`. */
  rate(nowMs: number = performance.now()): number {
    const windowStart = nowMs - this.windowMs;
    let inWindow = 0;
    let oldest = Number.NaN;
    let newest = Number.NaN;
    for (let i = 1; i <= this.held; i++) {
      const t = this.times[(this.next - i + this.capacity) % this.capacity]!;
      if (t <= windowStart) break;
      if (inWindow === 0) newest = t;
      inWindow++;
      oldest = t;
    }
    const coversWholeWindow = this.firstTick <= windowStart && inWindow < this.capacity;
    if (coversWholeWindow) return (inWindow * 1000) / this.windowMs;
    // Started less than a window ago, or the ring holds fewer ticks than the window saw: measure between ticks.
    if (inWindow < 2 || newest <= oldest) return 0;
    return ((inWindow - 1) * 1000) / (newest - oldest);
  }

  /** Ticks since construction. */
  get total(): number {
    return this.ticks;
  }
}
