import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SymmetricHistogram } from '../src/quantize/calibrate/histogram.js';
import { CALIBRATION_METHODS, calibrationMethod, type TensorStatistics } from '../src/quantize/calibrate/index.js';
import { ConfigError } from '../src/core/errors.js';
import { asymmetricParams } from '../src/quantize/tflite/quantize-params.js';

/** 100,000 bell-shaped values in about [-3, 3] (sum of uniforms, deterministic) plus three outliers at 40, -25 and 30. */
function statisticsWithOutliers(): TensorStatistics {
  const values = new Float32Array(100_003);
  let state = 7;
  const uniform = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  for (let i = 0; i < 100_000; i++) values[i] = (uniform() + uniform() + uniform() + uniform() - 2) * 1.5;
  values.set([40, -25, 30], 100_000);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const histogram = new SymmetricHistogram(Math.max(-min, max));
  histogram.add(values);
  return { min, max, histogram };
}

test('min-max keeps the outliers; percentile and entropy clip them', () => {
  const stats = statisticsWithOutliers();
  const minmax = CALIBRATION_METHODS.minmax(stats, { percentile: 99.99 });
  const percentile = CALIBRATION_METHODS.percentile(stats, { percentile: 99.99 });
  const entropy = CALIBRATION_METHODS.entropy(stats, { percentile: 99.99 });
  assert.equal(minmax.threshold, 40);
  assert.deepEqual([minmax.low, minmax.high], [-25, 40]);
  assert.ok(percentile.threshold > 2.5 && percentile.threshold < 3.1, `percentile threshold ${percentile.threshold}`);
  assert.ok(entropy.threshold > 1.5 && entropy.threshold < 3.1, `entropy threshold ${entropy.threshold}`);
  for (const range of [percentile, entropy]) assert.ok(range.low < 0 && range.low >= -range.threshold && range.high <= range.threshold);
});

test('a lower percentile clips harder', () => {
  const stats = statisticsWithOutliers();
  const loose = CALIBRATION_METHODS.percentile(stats, { percentile: 99.99 });
  const tight = CALIBRATION_METHODS.percentile(stats, { percentile: 99 });
  assert.ok(tight.threshold < loose.threshold);
});

test('asymmetric int8 parameters represent 0 exactly and cover the range', () => {
  const params = asymmetricParams({ low: -1, high: 3 });
  assert.ok(Math.abs(params.scale - 4 / 255) < 1e-9);
  assert.equal(params.zeroPoint, -64);
  assert.equal(asymmetricParams({ low: 0.5, high: 2 }).zeroPoint, -128, 'ranges are widened to include 0');
});

test('an unknown calibration method is a ConfigError naming the choices', () => {
  assert.throws(() => calibrationMethod('median'), (error: unknown) => error instanceof ConfigError && /minmax, percentile, entropy/.test(error.message));
});

test("entropy calibration is not dragged down by a ReLU's spike of zeros", () => {
  const values = new Float32Array(50_000);
  let state = 11;
  for (let i = 0; i < values.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    // Two thirds exact zeros (a ReLU output), the rest spread evenly over (0, 6].
    values[i] = i % 3 === 0 ? (state / 2147483648) * 6 : 0;
  }
  const histogram = new SymmetricHistogram(Math.max(...values));
  histogram.add(values);
  const range = CALIBRATION_METHODS.entropy({ min: 0, max: Math.max(...values), histogram }, { percentile: 99.99 });
  assert.ok(range.threshold > 5, `threshold ${range.threshold} for values spread evenly up to 6`);
  assert.equal(range.low, 0);
});
