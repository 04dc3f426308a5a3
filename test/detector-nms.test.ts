import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Candidate } from '../src/sdk/detectors/candidate.js';
import { intersectionOverUnion } from '../src/sdk/detectors/candidate.js';
import { hardNms, weightedNms } from '../src/sdk/detectors/nms.js';
import { generateSsdAnchors } from '../src/sdk/detectors/ssd-anchors.js';

const box = (x1: number, y1: number, x2: number, y2: number, score: number, k = 0): Candidate => ({ x1, y1, x2, y2, score, keypoints: [{ x: k, y: k }] });

test('IoU of identical, disjoint and half-overlapping boxes', () => {
  assert.equal(intersectionOverUnion(box(0, 0, 10, 10, 1), box(0, 0, 10, 10, 1)), 1);
  assert.equal(intersectionOverUnion(box(0, 0, 10, 10, 1), box(20, 20, 30, 30, 1)), 0);
  assert.equal(intersectionOverUnion(box(0, 0, 10, 10, 1), box(5, 0, 15, 10, 1)), 50 / 150);
});

test('hard NMS keeps the best of each overlapping group', () => {
  const kept = hardNms([box(0, 0, 10, 10, 0.6), box(1, 0, 11, 10, 0.9), box(50, 50, 60, 60, 0.7)], 0.3);
  assert.deepEqual(kept.map((c) => c.score), [0.9, 0.7]);
  assert.equal(kept[0]?.x1, 1);
});

test('weighted NMS blends each cluster by score (box and keypoints) and keeps the best score', () => {
  const merged = weightedNms([box(0, 0, 10, 10, 0.25, 0), box(2, 0, 12, 10, 0.75, 4), box(50, 50, 60, 60, 0.5, 9)], 0.3);
  assert.equal(merged.length, 2);
  const [face, other] = merged as [Candidate, Candidate];
  assert.equal(face.score, 0.75);
  assert.equal(face.x1, 0 * 0.25 + 2 * 0.75);
  assert.equal(face.x2, 10 * 0.25 + 12 * 0.75);
  assert.deepEqual(face.keypoints[0], { x: 3, y: 3 });
  assert.deepEqual(other, box(50, 50, 60, 60, 0.5, 9));
});

test('BlazeFace anchors: short range 896 (16x16x2 + 8x8x6), full range 2304 (48x48x1), centred in their cells', () => {
  const common = { minScale: 0.1484375, maxScale: 0.75, aspectRatios: [1], fixedAnchorSize: true, anchorOffsetX: 0.5, anchorOffsetY: 0.5 };
  const short = generateSsdAnchors({ ...common, inputWidth: 128, inputHeight: 128, strides: [8, 16, 16, 16], interpolatedScaleAspectRatio: 1 });
  assert.equal(short.length, 896);
  assert.deepEqual(short[0], { x: 0.5 / 16, y: 0.5 / 16, width: 1, height: 1 });
  assert.deepEqual(short[1], short[0], 'two anchors per stride-8 cell');
  assert.deepEqual(short[2], { x: 1.5 / 16, y: 0.5 / 16, width: 1, height: 1 });
  assert.deepEqual(short[512], { x: 0.5 / 8, y: 0.5 / 8, width: 1, height: 1 }, 'the stride-16 layers start after 16x16x2');
  assert.deepEqual(short[518], { x: 1.5 / 8, y: 0.5 / 8, width: 1, height: 1 }, 'six anchors per stride-16 cell');
  const full = generateSsdAnchors({ ...common, inputWidth: 192, inputHeight: 192, strides: [4], interpolatedScaleAspectRatio: 0 });
  assert.equal(full.length, 2304);
  assert.deepEqual(full[2303], { x: 47.5 / 48, y: 47.5 / 48, width: 1, height: 1 });
});

test('without a fixed anchor size, anchors carry SSD scales (interpolated anchor between layers)', () => {
  const anchors = generateSsdAnchors({
    inputWidth: 64, inputHeight: 64, minScale: 0.2, maxScale: 0.8, strides: [32, 64], aspectRatios: [1],
    interpolatedScaleAspectRatio: 1, fixedAnchorSize: false, anchorOffsetX: 0.5, anchorOffsetY: 0.5,
  });
  assert.equal(anchors.length, 2 * 2 * 2 + 1 * 1 * 2);
  assert.equal(anchors[0]?.width, 0.2);
  assert.ok(Math.abs((anchors[1]?.width as number) - Math.sqrt(0.2 * 0.8)) < 1e-12);
  assert.equal(anchors[8]?.width, 0.8);
  assert.equal(anchors[9]?.width, Math.sqrt(0.8 * 1));
});
