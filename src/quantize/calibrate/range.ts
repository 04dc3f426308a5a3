import type { SymmetricHistogram } from './histogram.js';

/** What calibration saw of one activation tensor. */
export interface TensorStatistics {
  min: number;
  max: number;
  histogram: SymmetricHistogram;
}

/**
 * The chosen clipping range of one tensor: `threshold` for symmetric int8 (TensorRT: scale = threshold / 127) and
 * [low, high] for asymmetric int8 (TFLite), both within what calibration saw.
 */
export interface CalibrationRange {
  threshold: number;
  low: number;
  high: number;
}

export type CalibrationMethodName = 'minmax' | 'percentile' | 'entropy';

export interface CalibrationOptions {
  /** Percentile method: the share of |x| kept inside the range, in percent. */
  percentile: number;
}

export type CalibrationMethod = (stats: TensorStatistics, options: CalibrationOptions) => CalibrationRange;

/** The asymmetric range that a symmetric threshold allows, never wider than the observed values. */
export function clipToThreshold(stats: TensorStatistics, threshold: number): CalibrationRange {
  return { threshold, low: Math.max(stats.min, -threshold), high: Math.min(stats.max, threshold) };
}
