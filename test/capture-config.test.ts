import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSource, parseSourceArg, sourceConfigSchema } from '../src/sdk/capture/index.js';
import { backoffDelayMs, reconnectSchema } from '../src/sdk/capture/reconnect-options.js';
import { ConfigError } from '../src/core/errors.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const dir = tempDirForTests('fer-capture-config-');

test('parseSourceArg tells cameras, streams, pipelines, folders and files apart', () => {
  assert.deepEqual(parseSourceArg('0'), { type: 'opencv', device: 0 });
  assert.deepEqual(parseSourceArg('/dev/video9'), { type: 'opencv', device: '/dev/video9' });
  assert.deepEqual(parseSourceArg('rtsp://cam.local:554/stream1'), { type: 'opencv', url: 'rtsp://cam.local:554/stream1' });
  assert.deepEqual(parseSourceArg('http://127.0.0.1:8080/video.mjpg'), { type: 'opencv', url: 'http://127.0.0.1:8080/video.mjpg' });
  const csi = 'nvarguscamerasrc ! video/x-raw(memory:NVMM),width=1280,height=720 ! nvvidconv ! video/x-raw,format=BGRx ! videoconvert ! appsink';
  assert.deepEqual(parseSourceArg(csi), { type: 'opencv', gstreamer: csi });
  assert.deepEqual(parseSourceArg('fswebcam:/dev/video1'), { type: 'webcam-still', device: '/dev/video1' });
  assert.deepEqual(parseSourceArg(dir), { type: 'images', dir });
  assert.deepEqual(parseSourceArg('clips/robot.mp4'), { type: 'opencv', file: 'clips/robot.mp4' });
});

test('every parsed argument is a valid configuration with defaults filled in', () => {
  const parsed = sourceConfigSchema.parse(parseSourceArg('clip.mp4'));
  assert.equal(parsed.type, 'opencv');
  assert.equal(parsed.type === 'opencv' && parsed.playback, 'realtime');
  assert.deepEqual(parsed.reconnect, { attempts: 3, initialDelayMs: 500, maxDelayMs: 1000, factor: 2, readTimeoutMs: 10_000 });
  assert.equal(parsed.type === 'opencv' && parsed.networkTimeoutMs, 1000);
});

test('an opencv source needs exactly one input, and bad fields are a ConfigError naming them', () => {
  assert.throws(() => createSource({ type: 'opencv' }), (e: unknown) => e instanceof ConfigError && /exactly one of device, file, url or gstreamer/.test(e.message));
  assert.throws(() => createSource({ type: 'opencv', file: 'a.mp4', url: 'rtsp://x/y' }), ConfigError);
  assert.throws(() => createSource({ type: 'opencv', file: 'a.mp4', playback: 'slow' as 'fast' }), (e: unknown) => e instanceof ConfigError && /playback/.test(e.message));
  assert.throws(() => createSource({ type: 'images', dir: dir, colour: 1 } as never), ConfigError);
});

test('backoff doubles from the initial delay up to the cap', () => {
  const options = reconnectSchema.parse({ initialDelayMs: 100, maxDelayMs: 1000 });
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((n) => backoffDelayMs(options, n)), [100, 200, 400, 800, 1000, 1000]);
});
