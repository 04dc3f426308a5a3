/** Summaries of repeated measurements: every bench figure is a median with its spread, never a single run. */

export interface Spread {
  runs: number;
  median: number;
  /** Interquartile range edges (25th and 75th percentiles). */
  p25: number;
  p75: number;
  min: number;
  max: number;
}

/** Linear interpolation between closest ranks (numpy's default), q in [0, 1]. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new RangeError('no measurements to summarize');
  return {
    runs: values.length,
    median: percentile(values, 0.5),
    p25: percentile(values, 0.25),
    p75: percentile(values, 0.75),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}
