import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createSource, LatestFrame } from '../src/sdk/capture/index.js';
import { CLIP, clipSource } from './helpers/clip.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';

const skip = skipUnlessShared(CLIP);

test('a slow consumer gets the newest frame; the frames it missed are dropped and counted, capture never waits', { skip }, async () => {
  const source = createSource(clipSource({ playback: 'realtime' }));
  await source.open();
  const latest = new LatestFrame(source);
  latest.start();

  const seqs: number[] = [];
  for (let i = 0; i < 6; i++) {
    const frame = await latest.next();
    assert.ok(frame);
    seqs.push(frame.seq);
    const capturedBefore = latest.captured;
    await sleep(250); // a consumer busy for 6 frame intervals
    assert.ok(latest.captured - capturedBefore >= 4, `capture must go on while the consumer is busy (+${latest.captured - capturedBefore})`);
  }
  await latest.stop();

  for (let i = 1; i < seqs.length; i++) assert.ok((seqs[i] as number) > (seqs[i - 1] as number) + 1, `frames were skipped: ${seqs.join(',')}`);
  assert.ok(latest.dropped >= 20, `dropped ${latest.dropped}`);
  // Every captured frame was either consumed, dropped, or is the one still waiting.
  const waiting = latest.captured - latest.dropped - seqs.length;
  assert.ok(waiting === 0 || waiting === 1, `captured ${latest.captured}, dropped ${latest.dropped}, consumed ${seqs.length}`);
});

test('a consumer as fast as the source misses nothing, and next() gives null when the file ends', { skip }, async () => {
  const source = createSource({ type: 'images', dir: sharedPath('media') });
  await source.open();
  const latest = new LatestFrame(source);
  latest.start();
  const seqs: number[] = [];
  for (let frame = await latest.next(); frame; frame = await latest.next()) seqs.push(frame.seq);
  assert.equal(await latest.next(), null);
  await latest.stop();
  assert.deepEqual(seqs, [0, 1, 2]);
  assert.equal(latest.dropped, 0);
  assert.equal(latest.captured, 3);
});
