import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import cv from '../src/sdk/opencv.js';
import { createDetector, type DetectorConfigInput } from '../src/sdk/detectors/index.js';
import { ConfigError, ModelError } from '../src/core/errors.js';
import { matToFrame } from '../src/sdk/preprocess/frame-mat.js';
import type { Face, Frame } from '../src/sdk/types.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const tmp = tempDirForTests('fer-detector-');

const image = (name: string): Frame => matToFrame(cv.imread(sharedPath('media', name)), 0, 0);
const centre = (face: Face) => ({ x: face.box.x + face.box.width / 2, y: face.box.y + face.box.height / 2 });

/**
 * Where each portrait's face centre lies, read off the images by eye (and checked against drawn detections):
 * the astronaut's face spans about x 175-272, y 63-190 of 512x512; Hopper's about x 37-88, y 30-80 of 128x128.
 */
const PORTRAITS = [
  { name: 'astronaut_eileen_collins_nasa.png', centre: { x: [205, 245], y: [110, 155] }, minSide: 70 },
  { name: 'grace_hopper_pillow_128.jpg', centre: { x: [52, 74], y: [45, 68] }, minSide: 30 },
] as const;

const YUNET = ['models', 'face', 'yunet_2023mar.onnx'] as const;
const ULTRAFACE = ['models', 'face', 'ultraface_rfb_320.onnx'] as const;
const DETECTORS: { label: string; config: DetectorConfigInput; skip: string | false; landmarks: boolean }[] = [
  { label: 'blazeface short (default)', config: { type: 'blazeface' }, skip: false, landmarks: true },
  { label: 'blazeface full', config: { type: 'blazeface', range: 'full' }, skip: false, landmarks: true },
  { label: 'yunet', config: { type: 'yunet', model: sharedPath(...YUNET) }, skip: skipUnlessShared(...YUNET), landmarks: true },
  { label: 'ultraface', config: { type: 'ultraface', model: sharedPath(...ULTRAFACE) }, skip: skipUnlessShared(...ULTRAFACE), landmarks: false },
  { label: 'haar', config: { type: 'haar' }, skip: false, landmarks: false },
];

for (const { label, config, skip, landmarks } of DETECTORS) {
  for (const portrait of PORTRAITS) {
    if (label === 'haar' || label === 'ultraface') {
      if (portrait.name !== 'astronaut_eileen_collins_nasa.png') continue;
    }
    test(`${label} finds the one face in ${portrait.name}, where it is`, { skip: skip || skipUnlessShared('media', portrait.name) }, async () => {
      const detector = await createDetector(config);
      try {
        const faces = await detector.detect(image(portrait.name));
        assert.equal(faces.length, 1, JSON.stringify(faces.map((f) => f.box)));
        const face = faces[0] as Face;
        const { x, y } = centre(face);
        assert.ok(x >= portrait.centre.x[0] && x <= portrait.centre.x[1] && y >= portrait.centre.y[0] && y <= portrait.centre.y[1], `centre (${x.toFixed(1)}, ${y.toFixed(1)})`);
        assert.ok(Math.min(face.box.width, face.box.height) >= portrait.minSide, `box ${JSON.stringify(face.box)}`);
        assert.ok(face.score > 0 && face.score <= 1);
        if (!landmarks) return assert.equal(face.landmarks, undefined);
        const [rightEye, leftEye, nose, rightMouth, leftMouth] = face.landmarks ?? [];
        assert.ok(rightEye && leftEye && nose && rightMouth && leftMouth, 'five landmarks');
        // The subject's right eye is on the image's left; eyes above the nose, nose above the mouth.
        assert.ok(rightEye.x < leftEye.x && rightMouth.x <= leftMouth.x);
        assert.ok(Math.max(rightEye.y, leftEye.y) < nose.y && nose.y < Math.min(rightMouth.y, leftMouth.y));
        assert.ok(rightEye.x > face.box.x && leftEye.x < face.box.x + face.box.width);
      } finally {
        await detector.close?.();
      }
    });
  }
}

test('yunet finds at least 27 of the 29 faces of the Solvay conference photo', { skip: skipUnlessShared(...YUNET) }, async () => {
  const detector = await createDetector({ type: 'yunet', model: sharedPath(...YUNET) });
  const faces = await detector.detect(image('solvay_conference_1927.jpg'));
  await detector.close?.();
  console.log(`yunet: ${faces.length} faces on solvay_conference_1927.jpg`);
  assert.ok(faces.length >= 27 && faces.length <= 31, `${faces.length} faces`);
});

test('blazeface on the Solvay photo: faces of ~20 px are below its input resolution whole, found in 330 px squares', async () => {
  const photo = cv.imread(sharedPath('media', 'solvay_conference_1927.jpg'));
  const counts: Record<string, number> = {};
  for (const range of ['short', 'full'] as const) {
    const detector = await createDetector({ type: 'blazeface', range });
    counts[range] = (await detector.detect(matToFrame(photo, 0, 0))).length;
    // The rows of people lie within y 100..430: two 330x330 squares bring their faces to ~12 px at 192x192.
    let inSquares = 0;
    for (const x of [0, 330]) inSquares += (await detector.detect(matToFrame(photo.getRegion(new cv.Rect(x, 100, 330, 330)).copy(), 0, 0))).length;
    counts[`${range} in squares`] = inSquares;
    await detector.close?.();
  }
  console.log(`blazeface on solvay_conference_1927.jpg (29 faces): ${JSON.stringify(counts)}`);
  // Measured here: 13 of the 29 (deterministic: same input, same model).
  assert.ok((counts['full in squares'] as number) >= 12 && (counts['full in squares'] as number) <= 29, JSON.stringify(counts));
});

test('minFaceSize drops small faces', { skip: skipUnlessShared(...YUNET) }, async () => {
  const detector = await createDetector({ type: 'yunet', model: sharedPath(...YUNET), minFaceSize: 200 });
  assert.equal((await detector.detect(image('solvay_conference_1927.jpg'))).length, 0);
  await detector.close?.();
});

test('a missing or corrupt model file is a one-line ModelError; a bad config is a ConfigError', async () => {
  const missing = join(tmp, 'nope.onnx');
  await assert.rejects(createDetector({ type: 'yunet', model: missing }), (e: unknown) => e instanceof ModelError && e.message.includes(missing) && !e.message.includes('\n'));
  const corrupt = join(tmp, 'corrupt.onnx');
  writeFileSync(corrupt, 'this is not a model');
  await assert.rejects(createDetector({ type: 'ultraface', model: corrupt }), (e: unknown) => e instanceof ModelError && !e.message.includes('\n'));
  const corruptTflite = join(tmp, 'corrupt.tflite');
  writeFileSync(corruptTflite, 'this is not a model either');
  await assert.rejects(createDetector({ type: 'blazeface', model: corruptTflite }), ModelError);
  await assert.rejects(createDetector({ type: 'haar', cascade: join(tmp, 'none.xml') }), /Haar cascade .*none\.xml: not found/);
  await assert.rejects(createDetector({ type: 'yunet', model: sharedPath(...ULTRAFACE) }), /not a YuNet model/);
  await assert.rejects(createDetector({ type: 'blazeface', range: 'medium' as 'short' }), ConfigError);
});

test('whole-frame reports the frame less its margin as one face, and loads no model', async () => {
  const detector = await createDetector({ type: 'whole-frame', margin: 0.1 });
  const faces = await detector.detect({ data: new Uint8Array(200 * 100 * 3), width: 200, height: 100, channels: 3, seq: 0, timestampMs: 0 });
  assert.deepEqual(faces, [{ box: { x: 20, y: 10, width: 160, height: 80 }, score: 1 }]);
  await assert.rejects(createDetector({ type: 'whole-frame', margin: 0.5 } as DetectorConfigInput), ConfigError);
});
