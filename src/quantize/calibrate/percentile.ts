import { clipToThreshold, type CalibrationMethod } from './range.js';

/** Clips the rarest (100 - p)% of |x| for the symmetric threshold, and each tail at the same share for the asymmetric range. */
export const percentileRange: CalibrationMethod = (stats, { percentile }) => {
  const fraction = percentile / 100;
  const absolute = stats.histogram.absolute();
  const total = absolute.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  let threshold = stats.histogram.limit;
  for (let bin = 0; bin < absolute.length; bin++) {
    cumulative += absolute[bin]!;
    if (cumulative >= fraction * total) {
      threshold = (bin + 1) * stats.histogram.binWidth;
      break;
    }
  }
  const tail = (1 - fraction) / 2;
  const clipped = clipToThreshold(stats, threshold);
  return {
    threshold,
    low: Math.min(0, Math.max(clipped.low, stats.histogram.quantile(tail))),
    high: Math.max(0, Math.min(clipped.high, stats.histogram.quantile(1 - tail))),
  };
};
