import { ConfigError } from '../../core/errors.js';
import { entropyRange } from './entropy.js';
import { minMaxRange } from './minmax.js';
import { percentileRange } from './percentile.js';
import type { Model } from '../../core/onnx/graph.js';
import { collectStatistics, type InputBatch, type ProgressCallback } from './collect.js';
import type { CalibrationMethod, CalibrationMethodName, CalibrationOptions, CalibrationRange } from './range.js';

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

/** Collects statistics for `names` on the batches and turns each into a range with the named method. */
export async function calibrateRanges(
  model: Model,
  names: readonly string[],
  batches: readonly InputBatch[],
  method: CalibrationMethodName,
  options: CalibrationOptions,
  onProgress?: ProgressCallback,
): Promise<Map<string, CalibrationRange>> {
  const methodFn = calibrationMethod(method);
  const statistics = await collectStatistics(model, names, batches, onProgress);
  return new Map([...statistics].map(([name, stats]) => [name, methodFn(stats, options)]));
}

/** Every float value the writers need a range for: the graph input and every node output. */
export function calibratedTensors(model: Model): string[] {
  return [model.graph.inputs[0]!.name, ...model.graph.nodes.flatMap((node) => node.outputs.filter(Boolean))];
}
