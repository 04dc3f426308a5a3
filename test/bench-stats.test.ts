import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFfmpegBenchmark } from '../src/bench/ffmpeg-decode.js';
import { percentile, spread } from '../src/bench/stats.js';
import { timePerCall } from '../src/bench/repeat.js';

test('percentile interpolates between ranks like numpy', () => {
  assert.equal(percentile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5], 0.25), 2);
  assert.equal(percentile([10], 0.9), 10);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('spread gives median, quartiles and range of the runs', () => {
  assert.deepEqual(spread([5, 1, 4, 2, 3]), { runs: 5, median: 3, p25: 2, p75: 4, min: 1, max: 5 });
  assert.throws(() => spread([]), RangeError);
});

test('timePerCall reports one mean per run over the timed calls, after the warm-up', async () => {
  let calls = 0;
  const summary = await timePerCall(
    async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    },
    { runs: 3, iterations: 4, warmup: 2 },
  );
  assert.equal(calls, 2 + 3 * 4);
  assert.equal(summary.runs, 3);
  assert.ok(summary.min >= 1.5 && summary.min <= summary.median && summary.median <= summary.max, JSON.stringify(summary));
});

test('ffmpeg -benchmark output is read for the last frame count and the wall time', () => {
  const stderr = [
    'frame=    1 fps=0.0 q=-0.0 size=N/A time=00:00:00.04 bitrate=N/A speed=2.94x',
    'frame=  240 fps=0.0 q=-0.0 Lsize=N/A time=00:00:10.00 bitrate=N/A speed=19.5x',
    'bench: utime=0.276s stime=0.029s rtime=0.480s',
  ].join('\r\n');
  assert.deepEqual(parseFfmpegBenchmark(stderr), { frames: 240, seconds: 0.48, fps: 500 });
  assert.throws(() => parseFfmpegBenchmark('no numbers here'), /no frame count/);
});
