import type { LatencySummary } from '../types.js';

/**
 * Rolling latency window for one pipeline stage: the last `capacity` samples in a ring buffer.
 * `record` runs per frame and allocates nothing; `summary` (every few seconds) sorts a preallocated copy.
 */
export class LatencyWindow {
  private readonly samples: Float64Array;
  private readonly scratch: Float64Array;
  private count = 0;
  private next = 0;

  constructor(readonly capacity = 256) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.samples = new Float64Array(capacity);
    this.scratch = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /** Nearest-rank percentiles over the window; zeros when nothing was recorded. */
  summary(): LatencySummary {
    if (this.count === 0) return { p50: 0, p95: 0, max: 0 };
    const sorted = this.scratch.subarray(0, this.count);
    sorted.set(this.samples.subarray(0, this.count));
    sorted.sort();
    return { p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95), max: sorted[this.count - 1]! };
  }

  reset(): void {
    this.count = 0;
    this.next = 0;
  }
}

function nearestRank(sorted: Float64Array, quantile: number): number {
  const rank = Math.max(1, Math.ceil(quantile * sorted.length));
  return sorted[rank - 1]!;
}

/** One LatencyWindow per stage name (capture, detect, classify, track, total...), created on first use. */
export class StageLatencies {
  private readonly windows = new Map<string, LatencyWindow>();

  constructor(private readonly capacity = 256) {}

  record(stage: string, ms: number): void {
    let window = this.windows.get(stage);
    if (!window) {
      window = new LatencyWindow(this.capacity);
      this.windows.set(stage, window);
    }
    window.record(ms);
  }

  /** Records the time since `startMs` (a `performance.now()` reading) and returns that duration. */
  since(stage: string, startMs: number): number {
    const ms = performance.now() - startMs;
    this.record(stage, ms);
    return ms;
  }

  summaries(): Record<string, LatencySummary> {
    const out: Record<string, LatencySummary> = {};
    for (const [stage, window] of this.windows) out[stage] = window.summary();
    return out;
  }
}
