import { ConfigError } from '../../sdk/errors.js';
import { entropyRange } from './entropy.js';
import { minMaxRange } from './minmax.js';
import { percentileRange } from './percentile.js';
import type { CalibrationMethod, CalibrationMethodName } from './range.js';

export const CALIBRATION_METHODS: Record<CalibrationMethodName, CalibrationMethod> = {
  minmax: minMaxRange,
  percentile: percentileRange,
  entropy: entropyRange,
};

export function calibrationMethod(name: string): CalibrationMethod {
  const method = CALIBRATION_METHODS[name as CalibrationMethodName];
  if (!method) throw new ConfigError(`--method must be one of ${Object.keys(CALIBRATION_METHODS).join(', ')}, got "${name}"`);
  return method;
}

export type { CalibrationMethodName, CalibrationRange, TensorStatistics } from './range.js';
