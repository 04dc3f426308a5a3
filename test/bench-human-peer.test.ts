import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHuman, humanEmotionOnCrop, matToHumanTensor, type HumanInstance } from '../bench/human-peer.js';
import cv from '../src/sdk/opencv.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';

const skip = skipUnlessShared('media', 'astronaut_eileen_collins_nasa.png') || skipUnlessShared('data', 'fer2013', 'val');
let human: HumanInstance;
let close: () => Promise<void>;

before(async () => {
  if (skip) return;
  ({ human, close } = await createHuman());
});
after(async () => close?.());

test('Human runs in Node on the wasm backend with its packaged models', { skip }, async () => {
  assert.equal(human.tf.getBackend(), 'wasm');
  const tensor = matToHumanTensor(human, cv.imread(sharedPath('media', 'astronaut_eileen_collins_nasa.png')));
  const result = await human.detect(tensor);
  tensor.dispose();
  assert.equal(result.face.length, 1);
  assert.equal(result.face[0]!.emotion?.length, 7);
});

test("Human's emotion model gives probabilities over the 7 FER2013 labels on val faces", { skip }, async () => {
  const folder = sharedPath('data', 'fer2013', 'val', 'happy');
  const probabilities = [];
  for (const file of readdirSync(folder).sort().slice(0, 5)) probabilities.push(await humanEmotionOnCrop(human, cv.imread(join(folder, file))));
  for (const p of probabilities) {
    assert.equal(p.length, 7);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-4);
  }
  // Its strongest class on these happy faces is "happy" (index 3) for most of them.
  assert.ok(probabilities.filter((p) => p.indexOf(Math.max(...p)) === 3).length >= 3);
});
