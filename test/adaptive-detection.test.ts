import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { matchEvents } from '../src/bench/event-match.js';
import { createSource } from '../src/sdk/capture/index.js';
import { pipelineConfigSchema } from '../src/sdk/config.js';
import { createPipeline, type PipelineResult } from '../src/sdk/index.js';
import cv, { type Mat } from '../src/sdk/opencv.js';
import { matToFrame } from '../src/sdk/preprocess/frame-mat.js';
import { pictureChange, thumbnail, type Thumbnail } from '../src/sdk/scheduling/index.js';
import type { EmotionEvent } from '../src/sdk/types.js';
import { CLIP, clipConfig, clipSource } from './helpers/clip.js';
import { skipUnlessShared } from './helpers/shared.js';

const skip = skipUnlessShared(CLIP);
/**
 * The clip's shot cuts, as ffmpeg's scene filter finds them (`select='gt(scene,0.4)'`; at 0.3 it adds 202 and 204,
 * frames of a light flashing on the robot within one shot, 192-205).
 */
const CUTS = [21, 65, 185];
/** The flashing light and the camera pan of the last shot: within shots, but the picture changes a lot. */
const FLASH_AND_PAN = { from: 192, to: 229 };
const DEFAULT_ON_CHANGE = pipelineConfigSchema.shape.detectOnChange.parse(undefined) as number;

/** Every frame of the clip as a thumbnail. */
let thumbnails: Thumbnail[] = [];
before(async () => {
  if (skip) return;
  const source = createSource(clipSource());
  await source.open();
  for (let frame = await source.read(); frame; frame = await source.read()) {
    thumbnails.push(thumbnail(frame));
    (frame.data as Mat).release();
  }
  await source.close();
});

async function run(extra: Record<string, unknown>): Promise<{ results: PipelineResult[]; events: EmotionEvent[] }> {
  const pipeline = await createPipeline(clipConfig(extra));
  const results: PipelineResult[] = [];
  const events: EmotionEvent[] = [];
  pipeline.on('result', (result) => results.push(result));
  pipeline.on('event', (event) => events.push(event));
  await pipeline.run();
  return { results, events };
}

test('picture change between consecutive frames of the clip: above the default threshold at its shot cuts only', { skip }, () => {
  assert.equal(thumbnails.length, 240);
  assert.deepEqual([thumbnails[0]!.width, thumbnails[0]!.height], [32, 18]);
  const changes = thumbnails.map((current, i) => (i === 0 ? 0 : pictureChange(current, thumbnails[i - 1]!)));
  const above = changes.flatMap((change, i) => (change >= DEFAULT_ON_CHANGE ? [i] : []));
  assert.deepEqual(above, CUTS, `frames at or above ${DEFAULT_ON_CHANGE}`);
  for (const cut of CUTS) assert.ok(changes[cut]! > 0.9, `cut at ${cut}: ${changes[cut]}`);
  // Within shots the signal stays well below the threshold, the flashing light aside (~0.25), and motion alone
  // (people talking, turning their heads) stays under a tenth.
  const within = changes.filter((_, i) => i > 0 && !CUTS.includes(i));
  assert.ok(Math.max(...within) < DEFAULT_ON_CHANGE, `largest change within a shot: ${Math.max(...within)}`);
  const calm = changes.filter((_, i) => i > 0 && !CUTS.includes(i) && (i < FLASH_AND_PAN.from || i > FLASH_AND_PAN.to));
  assert.ok(Math.max(...calm) < 0.1, `largest change within a shot outside the flash and the pan: ${Math.max(...calm)}`);
});

test('picture change ignores brightness and contrast; a flat frame is unrelated to a picture', { skip }, async () => {
  const source = createSource(clipSource());
  await source.open();
  const frame = (await source.read())!;
  await source.close();
  const mat = frame.data as Mat;
  const darker = mat.convertTo(cv.CV_8UC3, 0.5, 20);
  const black = new cv.Mat(mat.rows, mat.cols, cv.CV_8UC3, [0, 0, 0]);
  const grey = new cv.Mat(mat.rows, mat.cols, cv.CV_8UC3, [128, 128, 128]);
  const original = thumbnail(frame);
  assert.ok(pictureChange(original, thumbnail(matToFrame(darker, 1, 0))) < 0.01);
  assert.ok(Math.abs(pictureChange(original, original)) < 1e-6);
  assert.equal(pictureChange(thumbnail(matToFrame(black, 1, 0)), thumbnail(matToFrame(grey, 2, 0))), 0);
  assert.equal(pictureChange(original, thumbnail(matToFrame(black, 1, 0))), 1);
  for (const m of [mat, darker, black, grey]) m.release();
});

test('detectOnChange: the pipeline detects on every shot cut, early only on a change of picture, and counts N again from there', { skip }, async () => {
  const every = 5;
  const { results } = await run({ detectEvery: every, classifyEvery: 0, confirmOnNextFrame: false });
  assert.equal(results.length, 240);
  for (const cut of CUTS) assert.ok(results[cut]!.detected, `cut at frame ${cut} not detected`);
  const early = results.filter((r) => r.detectedOn === 'change').map((r) => r.frame.seq);
  assert.ok(early.includes(21) && early.includes(65), `early detections at ${early.join(', ')}`);
  // Outside the flashing light and the pan, the change triggers detection at shot cuts only.
  assert.deepEqual(
    early.filter((seq) => seq < FLASH_AND_PAN.from || seq > FLASH_AND_PAN.to),
    CUTS.filter((cut) => early.includes(cut)),
  );
  let last = 0;
  for (const result of results) {
    if (result.detectedOn === 'change') assert.ok(result.pictureChange! >= DEFAULT_ON_CHANGE);
    else if (!result.detected) assert.ok(result.pictureChange! < DEFAULT_ON_CHANGE, `frame ${result.frame.seq}`);
    if (result.detected) {
      assert.ok(result.frame.seq - last <= every, `${result.frame.seq - last} frames without detection before ${result.frame.seq}`);
      assert.equal(result.detectedOn === 'schedule', result.frame.seq - last === every || result.frame.seq === 0, `frame ${result.frame.seq}`);
      last = result.frame.seq;
    }
  }
  // Without the trigger, the cuts off the every-5th-frame grid are not detected.
  const fixed = await run({ detectEvery: every, classifyEvery: 0, confirmOnNextFrame: false, detectOnChange: false });
  assert.deepEqual(
    fixed.results.filter((r) => r.detected).map((r) => r.frame.seq),
    Array.from({ length: 48 }, (_, i) => i * every),
  );
  assert.ok(fixed.results.every((r) => r.pictureChange === undefined && r.detectedOn !== 'change'));
});

test('every 3rd frame with the defaults: every reference event (detection on every frame) is matched; without the triggers, 4 of 6', { skip }, async () => {
  const reference = await run({ detectEvery: 1 });
  assert.ok(reference.results.every((r) => r.detected && r.pictureChange === undefined));
  assert.equal(reference.events.length, 6);
  const matched = (events: EmotionEvent[]): number => matchEvents(reference.events, events, 24).length;

  const adaptive = await run({ detectEvery: 3 });
  assert.equal(matched(adaptive.events), 6, JSON.stringify(adaptive.events.map((e) => [e.type, e.face_id, e.frame_seq])));
  // A confirmation detection follows a detection frame that left a face unconfirmed.
  const confirms = adaptive.results.filter((r) => r.detectedOn === 'confirm');
  assert.ok(confirms.length > 0);
  for (const { frame } of confirms) {
    const previous = adaptive.results[frame.seq - 1]!;
    assert.ok(previous.detected && previous.faces.some((face) => !face.confirmed), `confirmation at ${frame.seq}`);
  }
  assert.ok(adaptive.results.filter((r) => r.detected).length < 100, 'detected on most frames');

  const old = await run({ detectEvery: 3, detectOnChange: false, confirmOnNextFrame: false });
  assert.equal(matched(old.events), 4);
});
