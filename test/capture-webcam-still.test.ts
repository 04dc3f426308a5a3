import assert from 'node:assert/strict';
import { test } from 'node:test';
import cv, { type Mat } from '../src/sdk/opencv.js';
import { createSource } from '../src/sdk/capture/index.js';
import { SourceError } from '../src/core/errors.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';

// fswebcam's own sources stand in for a camera: TEST: draws colour bars, FILE: reads a picture.
test('fswebcam stills arrive as decoded BGR frames at the requested size', async () => {
  const source = createSource({ type: 'webcam-still', device: 'TEST:', width: 320, height: 240, intervalMs: 0 });
  await source.open();
  const frames = [await source.read(), await source.read()];
  await source.close();
  assert.deepEqual(frames.map((f) => f?.seq), [0, 1]);
  const frame = frames[1];
  assert.ok(frame && frame.data instanceof cv.Mat);
  assert.deepEqual([frame.width, frame.height, frame.channels], [320, 240, 3]);
  // Colour bars: far from a flat image.
  const { stddev } = (frame.data as Mat).meanStdDev();
  assert.ok(stddev.at(0, 0) > 30, `stddev ${stddev.at(0, 0)}`);
});

test('a still of a photo keeps its content (JPEG through stdout, no shell)', { skip: skipUnlessShared('media', 'grace_hopper_pillow_128.jpg') }, async () => {
  const path = sharedPath('media', 'grace_hopper_pillow_128.jpg');
  const source = createSource({ type: 'webcam-still', device: `FILE:${path}`, width: 128, height: 128, intervalMs: 0 });
  await source.open();
  const frame = await source.read();
  await source.close();
  assert.ok(frame);
  const original = cv.imread(path);
  const difference = (frame.data as Mat).absdiff(original).cvtColor(cv.COLOR_BGR2GRAY).mean();
  assert.ok(difference.x < 6, `mean abs difference ${difference.x}`);
});

test('fswebcam on a missing camera: one-line SourceError from its stderr', async () => {
  const source = createSource({ type: 'webcam-still', device: '/dev/video9', reconnect: { attempts: 1 } });
  await assert.rejects(source.open(), (e: unknown) => {
    assert.ok(e instanceof SourceError);
    assert.equal(e.message, 'camera /dev/video9 (fswebcam) could not be opened (1 attempt): fswebcam captured nothing: stat: No such file or directory');
    return true;
  });
});

test('a missing fswebcam binary says so', async () => {
  const source = createSource({ type: 'webcam-still', fswebcam: '/nonexistent/fswebcam', reconnect: { attempts: 1 } });
  await assert.rejects(source.open(), /\/nonexistent\/fswebcam is not installed/);
});
