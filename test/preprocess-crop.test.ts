import assert from 'node:assert/strict';
import { test } from 'node:test';
import cv from '../src/sdk/opencv.js';
import { createDetector } from '../src/sdk/detectors/index.js';
import type { ModelInputSpec } from '../src/sdk/model/manifest-types.js';
import { cropFaces } from '../src/sdk/preprocess/crop-faces.js';
import { matToFrame } from '../src/sdk/preprocess/frame-mat.js';
import type { Face, Frame } from '../src/sdk/types.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';

const ASTRONAUT = ['media', 'astronaut_eileen_collins_nasa.png'] as const;
const skip = skipUnlessShared(...ASTRONAUT);
const astronaut = (): Frame => matToFrame(cv.imread(sharedPath(...ASTRONAUT)), 0, 0);
const FACE: Face = { box: { x: 178, y: 78, width: 94, height: 112 }, score: 1 };
const OTHER: Face = { box: { x: 380, y: 60, width: 60, height: 60 }, score: 1 };

const spec = (overrides: Partial<ModelInputSpec>): ModelInputSpec => ({
  name: 'input', layout: 'NCHW', height: 64, width: 64, channels: 1, color: 'gray', mean: [0.5], std: [0.5], dtype: 'float32', ...overrides,
});

const range = (data: ArrayLike<number>) => {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    min = Math.min(min, data[i] as number);
    max = Math.max(max, data[i] as number);
  }
  return { min, max };
};

test('gray NCHW 64x64 with (x/255 - 0.5) / 0.5: one [N,1,64,64] batch in [-1, 1]', { skip }, () => {
  const crops = cropFaces(astronaut(), [FACE, OTHER], spec({}));
  assert.deepEqual(crops.dims, [2, 1, 64, 64]);
  assert.ok(crops.data instanceof Float32Array);
  assert.equal(crops.data.length, 2 * 64 * 64);
  const { min, max } = range(crops.data);
  assert.ok(min >= -1 && max <= 1 && max - min > 1, `range ${min}..${max}`);
});

test('no faces: an empty batch of the right rank', () => {
  const frame = matToFrame(new cv.Mat(10, 10, cv.CV_8UC3, [0, 0, 0]), 0, 0);
  const crops = cropFaces(frame, [], spec({ layout: 'NHWC', channels: 3, color: 'rgb', height: 48, width: 48 }));
  assert.deepEqual(crops.dims, [0, 48, 48, 3]);
  assert.equal(crops.data.length, 0);
});

test('normalization comes from the spec, per channel, and colour order and layout follow it', { skip }, () => {
  const frame = astronaut();
  const plain = cropFaces(frame, [FACE], spec({ layout: 'NHWC', channels: 3, color: 'rgb', mean: [0], std: [1] })).data;
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const imagenet = cropFaces(frame, [FACE], spec({ layout: 'NHWC', channels: 3, color: 'rgb', mean, std })).data;
  for (let i = 0; i < plain.length; i += 997) {
    const c = i % 3;
    assert.ok(Math.abs((imagenet[i] as number) - ((plain[i] as number) - (mean[c] as number)) / (std[c] as number)) < 1e-5);
  }
  const bgrPlanes = cropFaces(frame, [FACE], spec({ layout: 'NCHW', channels: 3, color: 'bgr', mean: [0], std: [1] }));
  assert.deepEqual(bgrPlanes.dims, [1, 3, 64, 64]);
  const plane = 64 * 64;
  for (let p = 0; p < plane; p += 101) {
    for (let c = 0; c < 3; c++) assert.equal(bgrPlanes.data[(2 - c) * plane + p], plain[p * 3 + c], 'RGB interleaved = BGR planes reversed');
  }
  const { min, max } = range(plain);
  assert.ok(min >= 0 && max <= 1);
});

test('int8 and uint8 inputs are quantized with the spec scale and zero point', { skip }, () => {
  const frame = astronaut();
  const float = cropFaces(frame, [FACE], spec({})).data;
  const scale = 2 / 255;
  const int8 = cropFaces(frame, [FACE], spec({ dtype: 'int8', quantization: { scale, zeroPoint: 0 } }));
  assert.ok(int8.data instanceof Int8Array);
  for (let i = 0; i < float.length; i += 37) assert.ok(Math.abs((int8.data[i] as number) * scale - (float[i] as number)) <= scale / 2 + 1e-6);
  const uint8 = cropFaces(frame, [FACE], spec({ dtype: 'uint8', mean: [0], std: [1], quantization: { scale: 1 / 255, zeroPoint: 0 } }));
  assert.ok(uint8.data instanceof Uint8Array);
  assert.ok(range(uint8.data).max > 200, 'pixels back on 0..255');
  assert.throws(() => cropFaces(frame, [FACE], spec({ dtype: 'int8' })), /no quantization/);
});

test('a square expanded crop padded at the frame border: edge pixels repeated, or black', () => {
  const frame = matToFrame(new cv.Mat(200, 200, cv.CV_8UC3, [200, 200, 200]), 0, 0);
  const corner: Face = { box: { x: 0, y: 0, width: 100, height: 50 }, score: 1 };
  const input = spec({ mean: [0], std: [1], height: 20, width: 20 });
  // Side 2 x 100 = 200 centred on (50, 25): rows above -75 and columns left of -50 lie outside the frame.
  const edge = cropFaces(frame, [corner], input, { expand: 2, pad: 'edge' }).data;
  assert.ok(edge.every((v) => Math.abs(v - 200 / 255) < 1e-6));
  const black = cropFaces(frame, [corner], input, { expand: 2, pad: 'constant' }).data;
  assert.equal(black[0], 0, 'top-left is outside the frame');
  assert.ok(Math.abs((black[19 * 20 + 19] as number) - 200 / 255) < 1e-6, 'bottom-right is inside');
  const outside = black.filter((v) => v === 0).length;
  // Outside: the top 75/200 of rows or the left 50/200 of columns, 1 - (125/200)(150/200) = 53% of 400 pixels.
  assert.ok(outside > 180 && outside < 240, `${outside} black pixels`);
});

/** The angle of the eye line, in degrees, of the one face the detector finds in a crop turned back into an image. */
async function eyeAngleInCrop(data: Float32Array, side: number, detect: (f: Frame) => Promise<Face[]>): Promise<number> {
  const bytes = Buffer.from(Uint8Array.from(data, (v) => Math.round(v)));
  const faces = await detect(matToFrame(new cv.Mat(bytes, side, side, cv.CV_8UC3), 0, 0));
  assert.equal(faces.length, 1);
  const [right, left] = (faces[0] as Face).landmarks ?? [];
  assert.ok(right && left);
  return (Math.atan2(left.y - right.y, left.x - right.x) * 180) / Math.PI;
}

test('alignment levels the eyes of a face rotated by 25 degrees', { skip }, async () => {
  const original = cv.imread(sharedPath(...ASTRONAUT));
  const turn = cv.getRotationMatrix2D(new cv.Point2(256, 256), -25, 1);
  const rotated = matToFrame(original.warpAffine(turn, new cv.Size(512, 512), cv.INTER_LINEAR, cv.BORDER_REPLICATE), 0, 0);
  const detector = await createDetector({ type: 'blazeface' });
  try {
    const faces = await detector.detect(rotated);
    assert.equal(faces.length, 1);
    // Raw 0..255 BGR pixels, so the crop can be looked at (and detected in) again.
    const input = spec({ layout: 'NHWC', channels: 3, color: 'bgr', mean: [0], std: [1 / 255], height: 256, width: 256 });
    const upright = cropFaces(rotated, faces, input, { expand: 1.8, align: false }).data as Float32Array;
    const aligned = cropFaces(rotated, faces, input, { expand: 1.8, align: true }).data as Float32Array;
    const detect = (f: Frame) => detector.detect(f);
    const before = await eyeAngleInCrop(upright, 256, detect);
    const after = await eyeAngleInCrop(aligned, 256, detect);
    console.log(`eye line: ${before.toFixed(1)} deg unaligned, ${after.toFixed(1)} deg aligned`);
    assert.ok(Math.abs(before - 25) < 6, `unaligned crop: eyes at ${before.toFixed(1)} deg`);
    assert.ok(Math.abs(after) < 4, `aligned crop: eyes at ${after.toFixed(1)} deg`);
  } finally {
    await detector.close?.();
  }
});
