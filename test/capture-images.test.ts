import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createSource } from '../src/sdk/capture/index.js';
import { SourceError } from '../src/core/errors.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';
import { makeTempDir, removeTempDir } from './helpers/temp-dir.js';

const skip = skipUnlessShared('media', 'solvay_conference_1927.jpg');
let dir = '';

before(() => {
  dir = makeTempDir('fer-images-');
  if (skip) return;
  // Natural order must put frame2 before frame10; the text file is ignored.
  copyFileSync(sharedPath('media', 'grace_hopper_pillow_128.jpg'), join(dir, 'frame10.jpg'));
  copyFileSync(sharedPath('media', 'astronaut_eileen_collins_nasa.png'), join(dir, 'frame2.png'));
  copyFileSync(sharedPath('media', 'solvay_conference_1927.jpg'), join(dir, 'frame1.jpg'));
  writeFileSync(join(dir, 'notes.txt'), 'not an image');
});
after(() => removeTempDir(dir));

const sizes = (frames: { width: number; height: number }[]) => frames.map((f) => `${f.width}x${f.height}`);

test('an image folder gives its images in natural order, once', { skip }, async () => {
  const source = createSource({ type: 'images', dir });
  await source.open();
  const frames = [];
  for (let frame = await source.read(); frame; frame = await source.read()) frames.push(frame);
  await source.close();
  assert.deepEqual(sizes(frames), ['660x478', '512x512', '128x128']);
  assert.deepEqual(frames.map((f) => f.seq), [0, 1, 2]);
  assert.equal(source.status, 'ended');
});

test('a looped image folder starts again', { skip }, async () => {
  const source = createSource({ type: 'images', dir, loop: true });
  await source.open();
  const frames = [];
  for (let i = 0; i < 7; i++) frames.push(await source.read());
  await source.close();
  assert.deepEqual(sizes(frames as never[]), ['660x478', '512x512', '128x128', '660x478', '512x512', '128x128', '660x478']);
});

test('a folder without images never opens: one-line SourceError', async () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const source = createSource({ type: 'images', dir: empty, reconnect: { attempts: 2, initialDelayMs: 10 } });
  await assert.rejects(source.open(), (e: unknown) => {
    assert.ok(e instanceof SourceError);
    assert.equal(e.message, `image folder ${empty} could not be opened (2 attempts): the folder holds no images`);
    return true;
  });
});
