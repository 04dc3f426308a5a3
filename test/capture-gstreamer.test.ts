import assert from 'node:assert/strict';
import { test } from 'node:test';
import cv from '../src/sdk/opencv.js';
import { createSource, parseSourceArg } from '../src/sdk/capture/index.js';

// The shape of a Jetson CSI pipeline (nvarguscamerasrc ! ... ! appsink) with a source every GStreamer install has.
const PIPELINE = 'videotestsrc pattern=smpte ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert ! video/x-raw,format=BGR ! appsink';
const hasGstreamer = /GStreamer:\s+YES/.test(cv.getBuildInformation());

test('a GStreamer pipeline string opens through OpenCV and streams BGR frames', { skip: hasGstreamer ? false : 'OpenCV built without GStreamer' }, async () => {
  const source = createSource(parseSourceArg(PIPELINE));
  assert.equal(source.live, true);
  await source.open();
  const frames = [];
  for (let i = 0; i < 5; i++) frames.push(await source.read());
  await source.close();
  assert.deepEqual(frames.map((f) => f?.seq), [0, 1, 2, 3, 4]);
  assert.deepEqual([frames[4]?.width, frames[4]?.height, frames[4]?.channels], [320, 240, 3]);
});
