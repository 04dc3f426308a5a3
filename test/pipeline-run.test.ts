import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { emotionEventSchema } from '../src/sdk/events/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPipeline, type Pipeline, type PipelineConfigInput, type PipelineResult } from '../src/sdk/index.js';
import type { Box, EmotionEvent } from '../src/sdk/types.js';
import { CLIP, clipConfig, clipSource } from './helpers/clip.js';
import { PEER_MODEL, tempPeerModel, type TempModel } from './helpers/model-fixtures.js';
import { skipUnlessShared } from './helpers/shared.js';
import { assertValidEvent } from './helpers/schema-files.js';

const skip = skipUnlessShared(CLIP) || skipUnlessShared(PEER_MODEL);
let model: TempModel;

before(() => {
  if (!skip) model = tempPeerModel();
});
after(() => model?.cleanup());

/** The clip's pipeline with the peer model. */
function peerClipConfig(extra: Partial<PipelineConfigInput> = {}): PipelineConfigInput {
  return clipConfig({ model: model.modelPath, ...extra });
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
  const pipeline = await createPipeline(peerClipConfig());
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
  assert.equal(pipeline.stats.dropped_results, 0);
  const framesWithFaces = results.filter((r) => r.faces.length > 0).length;
  assert.ok(framesWithFaces > 80, `faces on ${framesWithFaces} of 240 frames`);
  assert.ok(events.length >= 2, `events: ${events.length}`);
  for (const event of events) {
    emotionEventSchema.parse(event);
    assertValidEvent(event);
  }
  assertLifecycles(events);
  // Events fire on change, not per frame.
  assert.ok(events.length < framesWithFaces / 2, `${events.length} events for ${framesWithFaces} frames with faces`);
  for (const stage of ['detect', 'classify', 'track', 'total']) assert.ok(pipeline.stats.latency_ms[stage], stage);
  // The process's own memory: a heap with the models' JS objects in it, inside a larger resident set.
  const memory = pipeline.stats.memory!;
  assert.ok(memory.heap_used_mib > 1 && memory.rss_mib > memory.heap_used_mib, JSON.stringify(memory));
});

/** Runs the pipeline, recording each result with the number of faces the classifier was given for its frame. */
async function runCountingCrops(pipeline: Pipeline): Promise<{ result: PipelineResult; crops: number }[]> {
  let crops = 0;
  const classify = pipeline.classifier.classify.bind(pipeline.classifier);
  pipeline.classifier.classify = (batch) => {
    crops += batch.dims[0]!;
    return classify(batch);
  };
  const rows: { result: PipelineResult; crops: number }[] = [];
  pipeline.on('result', (result) => {
    rows.push({ result, crops });
    crops = 0;
  });
  await pipeline.run();
  return rows;
}

/** The face's smoothed probabilities on the previous frame and on this one, for faces with a state on both. */
function statePairs(rows: { result: PipelineResult }[], index: number): [string, string][] {
  const previous = new Map(rows[index - 1]?.result.faces.map((face) => [face.faceId, face.state]));
  return rows[index]!.result.faces.flatMap((face) => {
    const before = previous.get(face.faceId);
    return face.state && before ? [[JSON.stringify(before.probabilities), JSON.stringify(face.state.probabilities)] as [string, string]] : [];
  });
}

test('detectEvery: the detector runs on every Nth frame; in between, the visible faces are classified at their predicted boxes', { skip }, async () => {
  // Every 3rd frame only: no early detection on a change of picture or to confirm a new face (adaptive-detection.test.ts).
  const rows = await runCountingCrops(await createPipeline(peerClipConfig({ detectEvery: 3, detectOnChange: false, confirmOnNextFrame: false }), { maxFrames: 150 }));
  assert.equal(rows.length, 150);
  assert.deepEqual(
    rows.map((r) => r.result.detected),
    Array.from({ length: 150 }, (_, i) => i % 3 === 0),
  );
  const carried = rows.map((row, index) => ({ ...row, index })).filter(({ result }) => !result.detected && result.faces.some((f) => f.confirmed && f.visible));
  assert.ok(carried.length > 20, `frames without detection that carry a visible face: ${carried.length}`);
  let moved = 0;
  let pairs = 0;
  for (const { result, crops, index } of carried) {
    const visible = result.faces.filter((f) => f.confirmed && f.visible).length;
    assert.ok(crops >= 1 && crops <= visible, `frame ${result.frame.seq}: ${crops} crops for ${visible} visible faces`);
    assert.ok(result.classified && 'classify' in result.latencyMs);
    // observe(): the smoothed probabilities move on frames without detection.
    for (const [before, now] of statePairs(rows, index)) {
      pairs++;
      if (before !== now) moved++;
    }
  }
  assert.ok(pairs > 10 && moved === pairs, `smoothed probabilities moved on ${moved} of ${pairs} carried frames`);
});

test('classifyEvery 0: between detections nothing is classified and the smoothed emotions wait for the next detection', { skip }, async () => {
  const rows = await runCountingCrops(await createPipeline(peerClipConfig({ detectEvery: 3, classifyEvery: 0 }), { maxFrames: 150 }));
  const carried = rows.map((row, index) => ({ ...row, index })).filter(({ result }) => !result.detected);
  assert.ok(carried.some(({ result }) => result.faces.some((f) => f.state)), 'some carried frame has a face with a state');
  for (const { result, crops, index } of carried) {
    assert.equal(crops, 0, `frame ${result.frame.seq}`);
    assert.ok(!result.classified && !('classify' in result.latencyMs));
    for (const [before, now] of statePairs(rows, index)) assert.equal(now, before, `frame ${result.frame.seq}`);
  }
});

test('every reported box lies within the frame, also of faces carried past its edge; an end is where the face was last seen', { skip }, async () => {
  // Detection every 2nd frame and a 3 s timeout: a face leaving at the top is carried off the frame by its motion.
  const pipeline = await createPipeline(peerClipConfig({ detectEvery: 2, tracker: { lostTimeoutMs: 3000 } }));
  const events: EmotionEvent[] = [];
  const boxes: { what: string; box: Box }[] = [];
  const lastDetected = new Map<number, Box>();
  pipeline.on('event', (event) => events.push(event));
  pipeline.on('result', (result) => {
    for (const face of result.faces) {
      boxes.push({ what: `frame ${result.frame.seq} face ${face.faceId}`, box: face.box });
      if (face.state) boxes.push({ what: `frame ${result.frame.seq} face ${face.faceId} state`, box: face.state.box });
      if (face.detectionIndex !== undefined) lastDetected.set(face.faceId, face.box);
    }
  });
  await pipeline.run();
  const atEdge = boxes.filter(({ box }) => box.x === 0 || box.y === 0 || box.x + box.width === 640 || box.y + box.height === 360);
  assert.ok(atEdge.length > 0, 'some face was carried to the edge of the frame');
  for (const event of events) boxes.push({ what: `${event.type} of face ${event.face_id} on frame ${event.frame_seq}`, box: event.box });
  for (const { what, box } of boxes) {
    const inside = box.x >= 0 && box.y >= 0 && box.width > 0 && box.height > 0 && box.x + box.width <= 640 + 1e-6 && box.y + box.height <= 360 + 1e-6;
    assert.ok(inside, `${what}: box ${JSON.stringify(box)} leaves the 640x360 frame`);
  }
  const ends = events.filter((e) => e.type === 'end');
  assert.ok(ends.length >= 2);
  for (const end of ends) {
    const seen = lastDetected.get(end.face_id)!;
    for (const key of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(end.box[key] - seen[key]) <= 0.05, `end of face ${end.face_id}: ${JSON.stringify(end.box)} vs last detected ${JSON.stringify(seen)}`);
  }
});

test('stats: frames the pipeline was too busy for and results a slow iterator missed are counted apart', { skip }, async () => {
  // A consumer that never takes its results: the buffer keeps the newest, the rest are dropped; every frame is processed.
  const fast = await createPipeline(peerClipConfig({ detectEvery: 5 }), { maxFrames: 60, resultBufferSize: 4 });
  const iterator = fast[Symbol.asyncIterator]();
  await fast.run();
  assert.deepEqual([fast.stats.frames, fast.stats.dropped_frames, fast.stats.dropped_results], [60, 0, 56]);
  const kept: number[] = [];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) kept.push(next.value.frame.seq);
  assert.deepEqual(kept, [56, 57, 58, 59]);

  // Real-time playback (24 fps) with 100 ms of processing per frame: newer frames replace the ones not yet taken.
  // The detector on the main thread: on its own thread the next frame's 100 ms would overlap this one's.
  const slow = await createPipeline(peerClipConfig({ source: clipSource({ playback: 'realtime' }), detectorThread: 'main' }), {
    maxFrames: 10,
  });
  const detect = slow.detector.detect.bind(slow.detector);
  slow.detector.detect = async (frame) => {
    await sleep(100);
    return detect(frame);
  };
  const seqs: number[] = [];
  slow.on('result', (result) => seqs.push(result.frame.seq));
  await slow.run();
  const { frames, dropped_frames, dropped_results } = slow.stats;
  assert.equal(frames, 10);
  assert.equal(dropped_results, 0);
  assert.ok(dropped_frames >= 5, `dropped ${dropped_frames} frames`);
  // Every seq skipped between processed frames was dropped (and maybe a few captured after the last one).
  assert.ok(dropped_frames >= seqs.at(-1)! + 1 - seqs.length, `dropped ${dropped_frames}, processed seqs ${JSON.stringify(seqs)}`);
});

test('stop() ends every face and the loop; a second stop is harmless', { skip }, async () => {
  const pipeline = await createPipeline(peerClipConfig({ source: clipSource({ playback: 'realtime', loop: true }) }));
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
