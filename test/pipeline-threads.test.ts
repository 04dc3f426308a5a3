import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPipeline, type Pipeline, type PipelineResult } from '../src/sdk/index.js';
import { ModelError } from '../src/core/errors.js';
import type { WorkerBackend } from '../src/sdk/threads/worker-backend.js';
import type { EmotionEvent } from '../src/sdk/types.js';
import { CLIP, clipConfig, clipSource } from './helpers/clip.js';
import { skipUnlessShared } from './helpers/shared.js';
import { tempDirForTests } from './helpers/temp-dir.js';

const skip = skipUnlessShared(CLIP);
const tmp = tempDirForTests('fer-threads-');

/** The detector's model thread, reached through the BlazeFace detector's private model (to end it as a crash would). */
function detectorThread(pipeline: Pipeline): WorkerBackend {
  return (pipeline.detector as unknown as { model: WorkerBackend }).model;
}

interface Recorded {
  results: PipelineResult[];
  events: EmotionEvent[];
}

function record(pipeline: Pipeline): Recorded {
  const recorded: Recorded = { results: [], events: [] };
  pipeline.on('result', (result) => recorded.results.push(result));
  pipeline.on('event', (event) => recorded.events.push(event));
  return recorded;
}

/**
 * What must not depend on the thread, one string per frame: faces (boxes, landmarks, smoothed states) and events;
 * not timings, nor wall-clock stamps (each run has its own epoch).
 */
function comparable({ results }: Recorded): string[] {
  return results.map(({ frame, detected, classified, faces, events }) =>
    JSON.stringify({
      seq: frame.seq,
      detected,
      classified,
      faces: faces.map(({ state, ...face }) => ({ ...face, state: state && { ...state, ts: undefined, since_ts: undefined } })),
      events: events.map(({ ts: _, ...event }) => event),
    }),
  );
}

for (const { detectEvery, classifyEvery } of [
  { detectEvery: 1, classifyEvery: 1 },
  { detectEvery: 2, classifyEvery: 1 },
  { detectEvery: 3, classifyEvery: 0 },
]) {
  test(`detector on its own thread: the same faces and events as on the main thread, frame by frame (detectEvery ${detectEvery}, classifyEvery ${classifyEvery})`, { skip }, async () => {
    const runs: Recorded[] = [];
    for (const detectorThread of ['worker', 'main'] as const) {
      const pipeline = await createPipeline(clipConfig({ detectEvery, classifyEvery, detectorThread }));
      assert.equal(pipeline.detectorThreaded, detectorThread === 'worker');
      const recorded = record(pipeline);
      await pipeline.run();
      assert.equal(recorded.results.length, 240);
      assert.deepEqual(
        recorded.results.map((r) => r.frame.seq),
        Array.from({ length: 240 }, (_, i) => i),
      );
      runs.push(recorded);
    }
    const [worker, main] = runs as [Recorded, Recorded];
    assert.ok(main.events.length >= 4, `events: ${main.events.length}`);
    const [a, b] = [comparable(worker), comparable(main)];
    const differs = a.findIndex((frame, i) => frame !== b[i]);
    assert.equal(differs, -1, `frame ${differs} differs:\n worker ${a[differs]}\n main   ${b[differs]}`);
  });
}

test('detector thread: stop() mid-run ends every face, closes the thread and lets run() resolve', { skip }, async () => {
  const pipeline = await createPipeline(clipConfig({ detectorThread: 'worker', detectEvery: 2 }));
  const recorded = record(pipeline);
  let ended = false;
  pipeline.on('end', () => (ended = true));
  const thread = detectorThread(pipeline).worker;
  let exited = false;
  thread.once('exit', () => (exited = true));
  pipeline.on('result', (result) => {
    // Frame 100: two faces are on screen, and the next frame's detection is under way on the thread.
    if (result.frame.seq === 100) void pipeline.stop();
  });
  await pipeline.run();
  assert.ok(ended && exited, `end emitted: ${ended}, thread exited: ${exited}`);
  const last = recorded.results.at(-1)!.frame.seq;
  assert.ok(last >= 100 && last <= 102, `last frame ${last}`);
  const open = new Set<number>();
  for (const event of recorded.events) {
    if (event.type === 'new') open.add(event.face_id);
    if (event.type === 'end') open.delete(event.face_id);
  }
  assert.ok(recorded.events.some((e) => e.type === 'new'));
  assert.deepEqual([...open], [], 'every face that appeared has ended');
  await pipeline.stop();
});

test('detector thread: if the thread dies mid-run, run() rejects with one line naming it and the pipeline ends', { skip }, async () => {
  // Every 3rd frame exactly (no early detections), so that which frames detect is known below.
  const pipeline = await createPipeline(clipConfig({ detectorThread: 'worker', detectEvery: 3, detectOnChange: false, confirmOnNextFrame: false }));
  const recorded = record(pipeline);
  let ended = false;
  pipeline.on('end', () => (ended = true));
  pipeline.on('result', (result) => {
    // Frame 99 was a detection frame and 100 is not: the thread is idle, and ending it now is what a crash between
    // two runs looks like (ending it inside onnxruntime-node's run() aborts the process: see worker-backend.ts).
    if (result.frame.seq === 99) void detectorThread(pipeline).worker.terminate();
  });
  await assert.rejects(pipeline.run(), (error: Error) => {
    assert.match(error.message, /^face detector thread stopped unexpectedly \(exit code 1\)$/);
    return true;
  });
  assert.ok(ended);
  // Frames 100 and 101 are carried by the tracks; the detection of 102 fails.
  assert.equal(recorded.results.at(-1)!.frame.seq, 101);
  // Faces that appeared were still ended on the way out.
  const news = recorded.events.filter((e) => e.type === 'new').length;
  assert.equal(recorded.events.filter((e) => e.type === 'end').length, news);
});

test('detector thread: a model that does not load fails create() with the same error as on the main thread', async () => {
  const corrupt = join(tmp, 'corrupt.onnx');
  writeFileSync(corrupt, 'not an onnx model');
  const messages: string[] = [];
  for (const detectorThread of ['worker', 'main'] as const) {
    await assert.rejects(
      createPipeline({ source: { type: 'images', dir: tmp }, mqtt: false, detector: { type: 'blazeface', model: corrupt }, detectorThread }),
      (error: Error) => {
        assert.ok(error instanceof ModelError, `${detectorThread}: ${error.name}: ${error.message}`);
        assert.doesNotMatch(error.message, /\n/);
        messages.push(error.message);
        return true;
      },
    );
  }
  assert.equal(messages[0], messages[1]);
});

test('detector thread, live source: latest frame wins, results stay in frame order', { skip }, async () => {
  // A file played at its own pace goes through the same latest-frame path as a camera.
  const pipeline = await createPipeline(clipConfig({ source: clipSource({ playback: 'realtime' }), detectorThread: 'worker' }), {
    maxFrames: 30,
  });
  assert.ok(pipeline.detectorThreaded);
  const recorded = record(pipeline);
  await pipeline.run();
  const seqs = recorded.results.map((r) => r.frame.seq);
  assert.equal(seqs.length, 30);
  assert.ok(
    seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!),
    `in order: ${seqs.join(',')}`,
  );
  assert.equal(pipeline.stats.frames, 30);
});
