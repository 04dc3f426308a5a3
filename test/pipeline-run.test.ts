import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { emotionEventSchema } from '../src/sdk/events/index.js';
import { createPipeline, type PipelineResult } from '../src/sdk/index.js';
import type { EmotionEvent } from '../src/sdk/types.js';
import { tempPeerModel, type TempModel } from './helpers/model-fixtures.js';
import { sharedPath, skipUnlessShared } from './helpers/shared.js';

const CLIP = 'media/tears_of_steel_10s_640x360.mp4';
const skip = skipUnlessShared(CLIP) || skipUnlessShared('peers/mini_xception_fer2013.onnx');
let model: TempModel;

before(() => {
  if (!skip) model = tempPeerModel();
});
after(() => model?.cleanup());

function clipConfig(extra: Record<string, unknown> = {}) {
  return {
    source: { type: 'opencv' as const, file: sharedPath(CLIP), playback: 'fast' as const },
    model: model.modelPath,
    mqtt: false as const,
    ...extra,
  };
}

/** Every face's events start with `new` and, once the pipeline has stopped, end with `end`. */
function assertLifecycles(events: EmotionEvent[]): void {
  const byFace = new Map<number, string[]>();
  for (const event of events) byFace.set(event.face_id, [...(byFace.get(event.face_id) ?? []), event.type]);
  for (const [face, types] of byFace) {
    assert.equal(types[0], 'new', `face ${face}: ${types.join(',')}`);
    assert.equal(types.at(-1), 'end', `face ${face}: ${types.join(',')}`);
    assert.equal(types.filter((t) => t === 'new').length, 1);
    assert.equal(types.filter((t) => t === 'end').length, 1);
  }
}

test('the clip runs end to end: every frame processed in fast playback, faces tracked, events well-formed', { skip }, async () => {
  // The clip's faces are on screen from about frame 70 to 190 (of 240).
  const pipeline = await createPipeline(clipConfig());
  const events: EmotionEvent[] = [];
  pipeline.on('event', (event) => events.push(event));
  await pipeline.start();
  const results: PipelineResult[] = [];
  for await (const result of pipeline) results.push(result);

  assert.equal(results.length, 240);
  assert.deepEqual(
    results.map((r) => r.frame.seq),
    Array.from({ length: 240 }, (_, i) => i),
  );
  assert.equal(pipeline.stats.dropped_frames, 0);
  const framesWithFaces = results.filter((r) => r.faces.length > 0).length;
  assert.ok(framesWithFaces > 80, `faces on ${framesWithFaces} of 240 frames`);
  assert.ok(events.length >= 2, `events: ${events.length}`);
  for (const event of events) emotionEventSchema.parse(event);
  assertLifecycles(events);
  // Events fire on change, not per frame.
  assert.ok(events.length < framesWithFaces / 2, `${events.length} events for ${framesWithFaces} frames with faces`);
  for (const stage of ['detect', 'classify', 'track', 'total']) assert.ok(pipeline.stats.latency_ms[stage], stage);
});

test('detectEvery: the detector runs on every Nth frame and tracks carry the faces in between', { skip }, async () => {
  const pipeline = await createPipeline(clipConfig({ detectEvery: 3 }), { maxFrames: 150 });
  const results: PipelineResult[] = [];
  pipeline.on('result', (result) => results.push(result));
  await pipeline.run();
  assert.equal(results.length, 150);
  assert.deepEqual(
    results.map((r) => r.detected),
    Array.from({ length: 150 }, (_, i) => i % 3 === 0),
  );
  const carried = results.filter((r) => !r.detected && r.faces.length > 0);
  assert.ok(carried.length > 0, 'some frames without detection still have tracked faces');
  assert.ok(!('classify' in (results[1]?.latencyMs ?? {})), 'no classification on carried frames');
});

test('stop() ends every face and the loop; a second stop is harmless', { skip }, async () => {
  const pipeline = await createPipeline(clipConfig({ source: { type: 'opencv', file: sharedPath(CLIP), playback: 'realtime', loop: true } }));
  const events: EmotionEvent[] = [];
  pipeline.on('event', (event) => events.push(event));
  let ended = false;
  pipeline.on('end', () => (ended = true));
  await pipeline.start();
  while (!events.some((e) => e.type === 'new')) await new Promise((resolve) => setTimeout(resolve, 50));
  await pipeline.stop();
  await pipeline.stop();
  assert.ok(ended);
  assertLifecycles(events);
  assert.equal(pipeline.stats.source.status, 'ended');
});

test('a bad configuration is refused before anything opens, naming the field', async () => {
  await assert.rejects(
    createPipeline({ source: { type: 'opencv', file: 'x.mp4' }, detectEvery: 0, mqtt: false }),
    (error: Error) => error.name === 'ConfigError' && /detectEvery/.test(error.message),
  );
  await assert.rejects(
    createPipeline({ source: { type: 'nope' } } as never),
    (error: Error) => error.name === 'ConfigError' && /source/.test(error.message),
  );
});
