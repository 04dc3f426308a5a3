import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSource, type ResilientSource, type SourceStatusEvent } from '../src/sdk/capture/index.js';
import { releaseFrame } from '../src/sdk/release-frame.js';
import { CLIP } from './helpers/clip.js';
import { skipUnlessShared } from './helpers/shared.js';
import { startStallStream, type StallStream } from './helpers/stall-stream.js';

const skip = skipUnlessShared(CLIP);

/** Reads `count` frames; returns the longest wait for one, in ms. */
async function readFrames(source: ResilientSource, count: number): Promise<number> {
  let longest = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const frame = await source.read();
    assert.ok(frame, `frame ${i}`);
    releaseFrame(frame);
    longest = Math.max(longest, performance.now() - started);
  }
  return longest;
}

async function withStream(options: Parameters<typeof startStallStream>[0], use: (stream: StallStream) => Promise<void>): Promise<void> {
  const stream = await startStallStream(options);
  try {
    await use(stream);
  } finally {
    await stream.stop();
  }
}

test('a stream that stalls with its connection open is reopened: FFmpeg\'s socket timeout ends the blocked read', { skip, timeout: 20_000 }, async () => {
  await withStream({ mode: 'stall', stallAfter: 15 }, async (stream) => {
    const source = createSource({ type: 'opencv', url: stream.url, reconnect: { initialDelayMs: 100 } });
    const statuses: string[] = [];
    source.on('status', (e: SourceStatusEvent) => statuses.push(e.status));
    try {
      await source.open();
      // 15 frames, then none for as long as the connection stays open; frames resume on a new connection.
      const longest = await readFrames(source, 30);
      assert.equal(stream.connections, 2);
      assert.ok(longest > 800 && longest < 3000, `longest wait for a frame ${longest.toFixed(0)} ms (networkTimeoutMs 1000)`);
      assert.deepEqual(statuses, ['opening', 'running', 'reconnecting', 'running']);
      assert.equal(source.reconnects, 1);
    } finally {
      await source.close();
    }
  });
});

test('a read that blocks past readTimeoutMs is abandoned and the stream reopened', { skip, timeout: 20_000 }, async () => {
  await withStream({ mode: 'stall', stallAfter: 15 }, async (stream) => {
    // FFmpeg would wait 20 s: the read timeout gives up on the blocked read first.
    const source = createSource({ type: 'opencv', url: stream.url, networkTimeoutMs: 20_000, reconnect: { initialDelayMs: 100, readTimeoutMs: 1500 } });
    try {
      await source.open();
      const longest = await readFrames(source, 30);
      assert.equal(stream.connections, 2);
      assert.ok(longest > 1400 && longest < 4000, `longest wait for a frame ${longest.toFixed(0)} ms (readTimeoutMs 1500)`);
      assert.equal(source.reconnects, 1);
    } finally {
      await source.close();
    }
  });
});

test('close() during a read that blocks returns at once, the read giving null', { skip, timeout: 20_000 }, async () => {
  await withStream({ mode: 'stall', stallAfter: 5 }, async (stream) => {
    const source = createSource({ type: 'opencv', url: stream.url, networkTimeoutMs: 20_000, reconnect: { readTimeoutMs: 0 } });
    await source.open();
    await readFrames(source, 5);
    const blocked = source.read();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = performance.now();
    await source.close();
    assert.equal(await blocked, null);
    assert.ok(performance.now() - started < 600, `close took ${(performance.now() - started).toFixed(0)} ms`);
    assert.equal(source.status, 'ended');
  });
});

test('opening a server that accepts and never answers fails after networkTimeoutMs, not OpenCV\'s 30 s', { skip, timeout: 20_000 }, async () => {
  await withStream({ mode: 'silent' }, async (stream) => {
    const source = createSource({ type: 'opencv', url: stream.url, networkTimeoutMs: 500, reconnect: { attempts: 1 } });
    const started = performance.now();
    await assert.rejects(source.open(), { name: 'SourceError' });
    assert.ok(performance.now() - started < 3000, `open took ${(performance.now() - started).toFixed(0)} ms`);
  });
});
