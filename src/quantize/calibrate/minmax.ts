import type { CalibrationMethod } from './range.js';

/** The whole observed range: no clipping, so outliers stretch the scale. */
export const minMaxRange: CalibrationMethod = (stats) => ({
  threshold: Math.max(Math.abs(stats.min), Math.abs(stats.max)),
  low: stats.min,
  high: stats.max,
});
