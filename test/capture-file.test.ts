import assert from 'node:assert/strict';
import { test } from 'node:test';
import cv from '../src/sdk/opencv.js';
import { createSource } from '../src/sdk/capture/index.js';
import type { Frame } from '../src/sdk/types.js';
import { CLIP, clipSource } from './helpers/clip.js';
import { skipUnlessShared } from './helpers/shared.js';

const skip = skipUnlessShared(CLIP);

test('fast playback reads all 240 frames of the clip as BGR Mats with seq 0..239 on the file clock, then ends', { skip }, async () => {
  const source = createSource(clipSource());
  const statuses: string[] = [];
  source.on('status', (e: { status: string }) => statuses.push(e.status));
  await source.open();
  const seqs: number[] = [];
  const stamps: number[] = [];
  let first: Frame | null = null;
  for (let frame = await source.read(); frame; frame = await source.read()) {
    first ??= frame;
    seqs.push(frame.seq);
    stamps.push(frame.timestampMs);
  }
  await source.close();
  assert.equal(seqs.length, 240);
  assert.deepEqual(seqs, Array.from({ length: 240 }, (_, i) => i));
  assert.ok(first && first.data instanceof cv.Mat);
  assert.deepEqual([first.width, first.height, first.channels], [640, 360, 3]);
  assert.deepEqual(statuses, ['opening', 'running', 'ended']);
  assert.equal(await source.read(), null, 'an ended file stays ended');
  // Stamped on the file's clock (24 fps), however fast it was read: tracking and smoothing behave as at real time.
  stamps.forEach((stamp, i) => assert.ok(Math.abs(stamp - stamps[0]! - (i * 1000) / 24) < 0.01, `frame ${i} at +${stamp - stamps[0]!} ms`));
});

test('realtime playback paces frames at the file rate (24 fps)', { skip }, async () => {
  const source = createSource(clipSource({ playback: 'realtime' }));
  await source.open();
  const stamps: number[] = [];
  for (let i = 0; i < 13; i++) {
    const frame = await source.read();
    assert.ok(frame);
    stamps.push(frame.timestampMs);
  }
  await source.close();
  // 12 intervals of 1/24 s = 500 ms; timers only ever fire late, so the lower bound is firm.
  const elapsed = (stamps.at(-1) as number) - (stamps[0] as number);
  assert.ok(elapsed >= 490, `12 frame intervals took ${elapsed} ms, expected about 500`);
  assert.ok(elapsed < 1500, `12 frame intervals took ${elapsed} ms, expected about 500`);
});

test('a looped file starts again at its end, seq keeps counting', { skip }, async () => {
  const source = createSource(clipSource({ loop: true }));
  await source.open();
  let frames = 0;
  let lastSeq = -1;
  for (; frames < 260; frames++) {
    const frame = await source.read();
    assert.ok(frame, `frame ${frames} missing: a looped file must not end`);
    assert.equal(frame.seq, lastSeq + 1);
    lastSeq = frame.seq;
  }
  await source.close();
  assert.equal(lastSeq, 259);
});
