import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyWindow, StageLatencies } from '../src/sdk/metrics/index.js';

test('p50/p95/max are nearest-rank percentiles over the samples recorded', () => {
  const window = new LatencyWindow(100);
  assert.deepEqual(window.summary(), { p50: 0, p95: 0, max: 0 });
  // 1..100 in a scrambled order.
  for (let i = 0; i < 100; i++) window.record(((i * 37) % 100) + 1);
  assert.deepEqual(window.summary(), { p50: 50, p95: 95, max: 100 });
});

test('the window rolls: only the last `capacity` samples count', () => {
  const window = new LatencyWindow(4);
  for (const ms of [1000, 900, 5, 6, 7, 8]) window.record(ms);
  assert.equal(window.size, 4);
  assert.deepEqual(window.summary(), { p50: 6, p95: 8, max: 8 });
  window.reset();
  assert.deepEqual(window.summary(), { p50: 0, p95: 0, max: 0 });
});

test('stages are tracked separately and reported by name', () => {
  const stages = new StageLatencies(16);
  for (let i = 1; i <= 10; i++) {
    stages.record('detect', i);
    stages.record('classify', 2 * i);
  }
  const elapsed = stages.since('total', performance.now() - 3);
  assert.ok(elapsed >= 3);
  const summaries = stages.summaries();
  assert.deepEqual(Object.keys(summaries), ['detect', 'classify', 'total']);
  assert.deepEqual(summaries.detect, { p50: 5, p95: 10, max: 10 });
  assert.deepEqual(summaries.classify, { p50: 10, p95: 20, max: 20 });
  assert.equal(summaries.total!.max, elapsed);
});

test('a capacity that is not a positive integer is refused', () => {
  assert.throws(() => new LatencyWindow(0), RangeError);
  assert.throws(() => new LatencyWindow(2.5), RangeError);
});
