import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createSource } from '../src/sdk/capture/index.js';
import type { FrameSource } from '../src/sdk/capture/frame-source.js';
import { FrameFeed } from '../src/sdk/frame-feed.js';
import type { Frame } from '../src/sdk/types.js';
import { releaseFrame } from '../src/sdk/release-frame.js';
import { CLIP, clipSource } from './helpers/clip.js';
import { skipUnlessShared } from './helpers/shared.js';

const skip = skipUnlessShared(CLIP);

/** The real OpenCV file source, watched: how many reads run at once, and how many frames are decoded but not yet taken. */
function watchedClip(): { source: FrameSource; maxConcurrentReads: () => number; maxDecodedAhead: () => number; taken: () => void } {
  const inner = createSource(clipSource());
  let running = 0;
  let maxRunning = 0;
  let decoded = 0;
  let consumed = 0;
  let maxAhead = 0;
  const source: FrameSource = {
    live: false,
    open: () => inner.open(),
    close: () => inner.close(),
    describe: () => inner.describe(),
    read: async () => {
      maxRunning = Math.max(maxRunning, ++running);
      try {
        const frame = await inner.read();
        if (frame) maxAhead = Math.max(maxAhead, ++decoded - consumed);
        return frame;
      } finally {
        running--;
      }
    },
  };
  return { source, maxConcurrentReads: () => maxRunning, maxDecodedAhead: () => maxAhead, taken: () => void consumed++ };
}

for (const readAhead of [1, 4]) {
  test(`a file read ${readAhead} frame(s) ahead: every frame in order, one read of the capture at a time`, { skip }, async () => {
    const clip = watchedClip();
    await clip.source.open();
    const feed = new FrameFeed(clip.source, false, readAhead);
    feed.start();
    const seqs: number[] = [];
    for (let frame = await feed.next(); frame; frame = await feed.next()) {
      clip.taken();
      seqs.push(frame.seq);
      releaseFrame(frame);
      if (seqs.length % 10 === 0) await sleep(20); // a slow detection frame: the decoder should run ahead meanwhile
    }
    await feed.stop();
    assert.equal(seqs.length, 240);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    assert.equal(new Set(seqs).size, 240);
    assert.equal(clip.maxConcurrentReads(), 1);
    assert.equal(clip.maxDecodedAhead(), readAhead);
    assert.equal(await feed.next(), null);
  });
}

test('stop() mid-clip waits for the reads under way, frees the frames decoded ahead and closes the capture', { skip }, async () => {
  const clip = watchedClip();
  await clip.source.open();
  const feed = new FrameFeed(clip.source, false, 4);
  feed.start();
  const first = (await feed.next()) as Frame;
  assert.equal(first.seq, 0);
  releaseFrame(first);
  await sleep(50);
  await feed.stop();
  assert.equal(clip.maxConcurrentReads(), 1);
  assert.equal(await feed.next(), null);
});
