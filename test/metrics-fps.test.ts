import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FpsCounter } from '../src/sdk/metrics/index.js';

/** Ticks every `intervalMs` from `startMs`, `count` times; returns the time of the last tick. */
function tickSteadily(fps: FpsCounter, startMs: number, intervalMs: number, count: number): number {
  let t = startMs;
  for (let i = 0; i < count; i++) fps.tick((t = startMs + i * intervalMs));
  return t;
}

test('a steady stream reads its rate, right from the start and once the window is full', () => {
  const fps = new FpsCounter(5000);
  assert.equal(fps.rate(0), 0);
  const early = tickSteadily(fps, 0, 100, 11); // 1 s at 10 fps
  assert.equal(fps.rate(early), 10);
  const late = tickSteadily(fps, early + 100, 100, 100); // 11 s in all
  assert.equal(fps.rate(late), 10);
  assert.equal(fps.total, 111);
});

test('the rate follows a change within one window and falls to 0 when frames stop', () => {
  const fps = new FpsCounter(2000);
  const slowEnd = tickSteadily(fps, 0, 200, 30); // 5 fps for 6 s
  assert.equal(fps.rate(slowEnd), 5);
  const fastEnd = tickSteadily(fps, slowEnd + 50, 50, 60); // then 20 fps for 3 s
  assert.equal(fps.rate(fastEnd), 20);
  assert.equal(fps.rate(fastEnd + 2500), 0);
});

test('more ticks in a window than the ring holds still measure the rate between the ticks it holds', () => {
  const fps = new FpsCounter(5000, 64);
  const end = tickSteadily(fps, 0, 5, 2000); // 200 fps for 10 s
  assert.equal(fps.rate(end), 200);
});
